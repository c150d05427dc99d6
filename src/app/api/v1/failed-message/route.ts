import { listFailedMessagesRest } from "@/server/api/v1/failed-message";

/** GET /api/v1/failed-message/ — see src/server/api/v1/failed-message.ts. */
export const GET = listFailedMessagesRest;
