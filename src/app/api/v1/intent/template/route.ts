import { intentTemplateRest } from "@/server/api/v1/intent";

/** POST /api/v1/intent/template/ — see src/server/api/v1/intent.ts. */
export const POST = intentTemplateRest;
