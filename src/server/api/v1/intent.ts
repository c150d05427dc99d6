/**
 * REST Intent-Based API, intent part (/api/v1/intent/…). Thin: parse the
 * HTTP request, call the same domain functions tRPC calls, shape the answer.
 * Role and ownership rules are the domain's; so are the error statuses
 * (another tenant's intent is 404, an invalid YAML 400 with its problems).
 */
import { z } from "zod";
import { created, parseInput, restHandler, RestError } from "@/server/api/rest";
import { rolesForArea } from "@/common/areas";
import {
  changeTargetInput,
  createIntentInputSchema,
  intentActionInput,
  intentTemplateInput,
  type CreateIntentInput,
} from "@/server/intents";
import { changeIntentTarget, createOrReplaceIntent, intentAction, intentTemplate } from "@/server/intents";
import {
  exportIntentYaml,
  intentDetail,
  intentListQuery,
  intentReport,
  intentTypes,
  listIntents,
} from "@/server/intents";

const roles = rolesForArea("intents");

/** Media types a YAML intent may be sent as (there is no single registered one). */
export const YAML_MEDIA_TYPES = [
  "application/yaml",
  "application/x-yaml",
  "text/yaml",
  "text/x-yaml",
] as const;

/** An intent document is small; anything this large is a mistake or an attack. */
export const MAX_INTENT_BODY = 1024 * 1024;

async function readText(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  const tooLarge = () =>
    new RestError(413, "payload_too_large", `The intent is larger than ${MAX_INTENT_BODY / 1024} KiB.`, null);
  if (Number.isFinite(declared) && declared > MAX_INTENT_BODY) throw tooLarge();
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_INTENT_BODY) throw tooLarge();
  return text;
}

const mediaType = (request: Request) =>
  (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A JSON body as createIntent's input: `{source, …}` as is; a form body
 * (`intentType` + `targets`); `{intent, instanceId?}`; or the normal form
 * itself (`{id, userLabel, intentExpectations, …}`).
 */
export function createInputFromJson(body: unknown, instanceId: string | undefined): CreateIntentInput {
  if (!isRecord(body)) {
    throw new RestError(400, "bad_request", "The body must be a JSON object.", null);
  }
  const parse = (value: unknown) => parseInput(createIntentInputSchema, value);
  if ("source" in body) return parse(body);
  if ("intentType" in body || "targets" in body) return parse({ instanceId, ...body, source: "form" });
  if ("intent" in body) return parse({ instanceId, ...body, source: "json" });
  const { instanceId: named, ...intent } = body;
  return parse({
    source: "json",
    intent,
    ...(typeof named === "string" ? { instanceId: named } : instanceId ? { instanceId } : {}),
  });
}

const createQuery = z.object({
  instanceId: z.string().max(64).optional(),
  replace: z
    .enum(["true", "false"], { error: 'replace must be "true" or "false".' })
    .optional()
    .describe("An imported document whose id names one of the tenant's intents updates it (200)."),
});

/** GET /api/v1/intent/ — one page of the caller's intents (all, for an admin). */
export const listIntentsRest = restHandler({ roles, query: intentListQuery }, ({ db, user, query }) =>
  listIntents({ db, user }, query),
);

/**
 * POST /api/v1/intent/ — create an intent: JSON (the form's fields, or the
 * normal form) or YAML text (Content-Type application/yaml and friends; the
 * instance from its NEMO_WORKLOAD context or `?instanceId=`).
 */
export const createIntentRest = restHandler(
  { roles, query: createQuery, accepts: ["application/json", ...YAML_MEDIA_TYPES] },
  async ({ db, user, request, query }) => {
    const type = mediaType(request);
    const text = await readText(request);
    let input: CreateIntentInput;
    const replace = query.replace === "true" ? { replace: true } : {};
    if ((YAML_MEDIA_TYPES as readonly string[]).includes(type)) {
      input = parseInput(createIntentInputSchema, {
        source: "yaml",
        yaml: text,
        ...(query.instanceId ? { instanceId: query.instanceId } : {}),
        ...replace,
      });
    } else if (type === "application/json" || type === "") {
      let body: unknown;
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        throw new RestError(400, "bad_request", "The request body is not valid JSON.", null);
      }
      input = createInputFromJson(body, query.instanceId);
      // ?replace=true concerns imports only (a form intent gets a new id).
      if (input.source !== "form" && query.replace === "true") input = { ...input, replace: true };
    } else {
      throw new RestError(
        400,
        "bad_request",
        `Send the intent as application/json or as YAML (${YAML_MEDIA_TYPES.join(", ")}), not ${type}.`,
        null,
      );
    }
    const { intent, replaced } = await createOrReplaceIntent({ db, user }, input);
    return replaced ? intent : created(intent, `/api/v1/intent/${intent.id}/`);
  },
);

/** GET /api/v1/intent/types/ — the catalogue of intent types and their targets. */
export const intentTypesRest = restHandler({ roles }, () => Promise.resolve(intentTypes()));

/** POST /api/v1/intent/template/ — a ready-to-edit intent (JSON and YAML) for an instance. */
export const intentTemplateRest = restHandler({ roles, body: intentTemplateInput }, ({ db, user, body }) =>
  intentTemplate({ db, user }, body.instanceId, body.intentType),
);

/** GET /api/v1/intent/{id}/ — the intent (normal form, secrets redacted) with its latest report. */
export const getIntentRest = restHandler({ roles }, ({ db, user, params }) =>
  intentDetail({ db, user }, params.id ?? ""),
);

const actionBody = intentActionInput.omit({ id: true });
const targetBody = changeTargetInput.omit({ id: true });

/** PUT /api/v1/intent/{id}/action/ — {action: start | suspend | delete}. */
export const intentActionRest = restHandler({ roles, body: actionBody }, ({ db, user, params, body }) =>
  intentAction({ db, user }, params.id ?? "", body.action),
);

/** PUT /api/v1/intent/{id}/target/ — a new value (and condition) for one target. */
export const intentTargetRest = restHandler({ roles, body: targetBody }, ({ db, user, params, body }) =>
  changeIntentTarget({ db, user }, params.id ?? "", body),
);

/** GET /api/v1/intent/{id}/report/ — latest report (3GPP view) and recent history. */
export const intentReportRest = restHandler({ roles }, ({ db, user, params }) =>
  intentReport({ db, user }, params.id ?? ""),
);

/** GET /api/v1/intent/{id}/yaml/ — the intent as YAML (the console's export: normal form, secrets "<redacted>"). */
export const intentYamlRest = restHandler({ roles }, async ({ db, user, params }) => {
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
});
