import { discardFailedMessageRest } from "@/server/api/v1/failed-message";

/** POST /api/v1/failed-message/{id}/discard/ — see src/server/api/v1/failed-message.ts. */
export const POST = discardFailedMessageRest;
