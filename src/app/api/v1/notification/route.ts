import { listNotificationsRest } from "@/server/api/v1/notification";

/** GET /api/v1/notification/ — see src/server/api/v1/notification.ts. */
export const GET = listNotificationsRest;
