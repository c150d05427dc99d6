/** Building blocks shared by the OpenAPI modules (workload, instance, cluster paths). */
export type JsonObject = Record<string, unknown>;

export const REF = "#/components/schemas/";
export const ref = (id: string) => ({ $ref: `${REF}${id}` });
export const json = (schema: unknown) => ({ "application/json": { schema } });
export const errorResponse = (description: string) => ({ description, content: json(ref("Error")) });
