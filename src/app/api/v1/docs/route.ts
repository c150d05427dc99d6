import { docsPage } from "@/server/api/v1/docs";

/** GET /api/v1/docs — interactive API docs (Swagger UI, served locally). */
export function GET(): Response {
  return docsPage();
}
