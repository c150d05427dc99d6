import { failedMessageRest } from "@/server/api/v1/failed-message";

/** GET /api/v1/failed-message/{id}/ — see src/server/api/v1/failed-message.ts. */
export const GET = failedMessageRest;
