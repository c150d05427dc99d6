/**
 * REST intent YAML export (GET /api/v1/intent/{id}/yaml/): the console's
 * export (tRPC intent.exportYaml, the same domain function) as a download.
 * Roles, ownership and JSON errors are those of the other intent routes
 * (src/server/api/v1/intent.ts): another tenant's intent is 404.
 */
import { restHandler } from "@/server/api/rest";
import { rolesForArea } from "@/server/auth/areas";
import { exportIntentYaml } from "@/server/intents/queries";

/** GET /api/v1/intent/{id}/yaml/ — the intent as YAML (normal form, secrets "<redacted>"). */
export const intentYamlRest = restHandler(
  { roles: rolesForArea("intents") },
  async ({ db, user, params }) => {
    const id = params.id ?? "";
    const { yaml } = await exportIntentYaml({ db, user }, id);
    // exportIntentYaml found the intent, so `id` is a UUID: safe in the header.
    return new Response(yaml, {
      headers: {
        "content-type": "text/yaml; charset=utf-8",
        "content-disposition": `attachment; filename="intent-${id}.yaml"`,
        "cache-control": "no-store",
      },
    });
  },
);
