import { markNotificationReadRest } from "@/server/api/v1/notification";

/** POST /api/v1/notification/{id}/read/ — see src/server/api/v1/notification.ts. */
export const POST = markNotificationReadRest;
