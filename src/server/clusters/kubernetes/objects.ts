import { type V1PodSpec } from "@kubernetes/client-node";
import { z } from "zod";
import { type PodSpec, podSpecSchema } from "../manifests";

/**
 * Narrow views of what the API server returns where the client hands back
 * untyped JSON (the generic object client, custom resources): only the
 * fields the driver reads are checked.
 */

export const FIELD_MANAGER = "nemo-console";

const managedFieldsEntrySchema = z.looseObject({
  manager: z.string().optional(),
  operation: z.string().optional(),
});

export const liveObjectSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    managedFields: z.array(managedFieldsEntrySchema).nullable().optional(),
  }),
});
export type LiveObject = z.infer<typeof liveObjectSchema>;

export const liveListSchema = z.looseObject({ items: z.array(liveObjectSchema) });

/** True when this driver server-side applied the object: pruning never touches what others created. */
export function appliedByConsole(object: LiveObject): boolean {
  return (object.metadata.managedFields ?? []).some(
    (entry) => entry.manager === FIELD_MANAGER && entry.operation === "Apply",
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The API group of an apiVersion ("" for the core group). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** A pod spec from the API in the shape the shared resource arithmetic (`podResources`) reads. */
export function podSpecOf(spec: V1PodSpec | undefined): PodSpec | null {
  const parsed = podSpecSchema.safeParse(spec);
  return parsed.success ? parsed.data : null;
}

/** `a=b,c=d`: the label selector matching every one of `labels`. */
export function labelSelector(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
}
