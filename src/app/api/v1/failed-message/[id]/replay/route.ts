import { replayFailedMessageRest } from "@/server/api/v1/failed-message";

/** POST /api/v1/failed-message/{id}/replay/ — see src/server/api/v1/failed-message.ts. */
export const POST = replayFailedMessageRest;
