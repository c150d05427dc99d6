/** Building blocks shared by the OpenAPI modules (workload, instance, cluster, intent paths). */
import { z } from "zod";
import { PAGE_SIZES } from "@/common/pagination";

export type JsonObject = Record<string, unknown>;

export const REF = "#/components/schemas/";
export const ref = (id: string) => ({ $ref: `${REF}${id}` });
export const json = (schema: unknown) => ({ "application/json": { schema } });
export const errorResponse = (description: string) => ({ description, content: json(ref("Error")) });

/** The `{id}` of a path, a UUID (clusters, instances, intents). */
export const uuidPathParameter = (description: string) => ({
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", format: "uuid" },
  description,
});

/**
 * Query parameters of a list route from its zod query schema: paging with the
 * console's page sizes, `overrides` for parameters whose zod form does not say
 * enough (ids with their meaning), the rest as zod's JSON Schema.
 */
export function listQueryParameters(
  shape: Readonly<Record<string, z.ZodType>>,
  overrides: Readonly<Record<string, JsonObject>> = {},
): JsonObject[] {
  return Object.entries(shape).map(([name, schema]) => ({
    name,
    in: "query",
    required: false,
    schema:
      name === "pageSize"
        ? { type: "integer", enum: [...PAGE_SIZES], default: 10 }
        : name === "page"
          ? { type: "integer", minimum: 1, default: 1 }
          : (overrides[name] ??
            z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" })),
  }));
}

/**
 * Named component schemas from zod schemas, in the given order: answers as
 * `io: "output"`, request bodies as `"input"`; references between them point
 * into the document's components.
 */
export function componentSchemas(
  named: ReadonlyArray<readonly [id: string, schema: z.ZodType]>,
  io: "input" | "output" = "output",
): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of named) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io, uri: (id) => `${REF}${id}` });
  return schemas;
}

/** One request body's schema, inline (types JSON cannot show become "any"). */
export function inputJsonSchema(schema: z.ZodType): JsonObject {
  return z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
  });
}

const RETRY_AFTER = {
  "Retry-After": { description: "Seconds to wait before retrying.", schema: { type: "integer" } },
};
const BODY_METHODS = new Set(["post", "put", "patch"]);

/**
 * What the edge answers on every route, before the handler runs (src/server/edge): 429 for a
 * spent rate limit, 503 while the database cannot be reached, and 413 for a body over the cap.
 */
export function withEdgeResponses(document: JsonObject): JsonObject {
  const paths = (document.paths ?? {}) as Record<string, Record<string, JsonObject>>;
  for (const item of Object.values(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const responses = (operation.responses ?? {}) as JsonObject;
      // A route may describe its own 429 or 503 (a per-person limit, say); the edge's Retry-After applies to it too.
      responses["429"] = {
        ...errorResponse("Too many requests from this user or address (`too_many_requests`)."),
        ...(responses["429"] as JsonObject | undefined),
        headers: RETRY_AFTER,
      };
      responses["503"] = {
        ...errorResponse("The database cannot be reached right now (`unavailable`)."),
        ...(responses["503"] as JsonObject | undefined),
        headers: RETRY_AFTER,
      };
      if (BODY_METHODS.has(method)) {
        responses["413"] ??= errorResponse(
          "The body is larger than the route's limit (`payload_too_large`).",
        );
      }
      operation.responses = responses;
    }
  }
  return document;
}
