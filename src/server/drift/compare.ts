import { z } from "zod";
import {
  CLUSTER_SCOPED_KINDS,
  diffWithOwnership,
  type FieldDrift,
  type KubernetesManifest,
  SCALABLE_KINDS,
} from "@/server/clusters";

/**
 * The drift verdict of one instance from its desired objects (what the
 * console applies) and the live objects its cluster lists. Pure, so the
 * normalisation rules are unit-tested without a cluster.
 */

/** Most objects kept in a summary (the rest are counted): the summary lives on the instance row. */
export const MAX_DRIFTED_OBJECTS = 50;

export const fieldDriftSchema = z.object({
  path: z.string(),
  expected: z.string().nullable(),
  actual: z.string().nullable(),
  changedBy: z.string().optional(),
});

export const objectDriftSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  /** missing: deleted by hand; changed: fields differ. */
  state: z.enum(["missing", "changed"]),
  fields: z.array(fieldDriftSchema),
});
export type ObjectDrift = z.infer<typeof objectDriftSchema>;

export const driftSummarySchema = z.object({
  cluster: z.string(),
  /** Objects compared (the instance's namespaced manifests). */
  compared: z.number().int().nonnegative(),
  objects: z.array(objectDriftSchema),
  /** Drifted objects left out of `objects` by the cap. */
  moreObjects: z.number().int().nonnegative(),
});
export type DriftSummary = z.infer<typeof driftSummarySchema>;

/** A stored summary, or null when the column is empty or from an older shape. */
export function readDriftSummary(value: unknown): DriftSummary | null {
  const parsed = driftSummarySchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

function identity(apiVersion: string, kind: string, name: string): string {
  return `${groupOf(apiVersion)}/${kind}/${name}`;
}

/**
 * The workloads whose replicas an HorizontalPodAutoscaler of the instance
 * owns (`Kind/name` of each `scaleTargetRef`): their `spec.replicas` is the
 * autoscaler's, never drift. Other replicas are compared with the stored
 * manifests, which hand scaling in the console writes (instances/changes.ts),
 * so only a scale behind the console's back (`kubectl scale`) is drift.
 */
export function autoscaledWorkloads(manifests: readonly KubernetesManifest[]): Set<string> {
  const targets = new Set<string>();
  for (const m of manifests) {
    if (m.kind !== "HorizontalPodAutoscaler" || !isRecord(m.spec)) continue;
    const ref = m.spec.scaleTargetRef;
    if (isRecord(ref) && typeof ref.kind === "string" && typeof ref.name === "string")
      targets.add(`${ref.kind}/${ref.name}`);
  }
  return targets;
}

function replicasIgnored(manifest: KubernetesManifest, autoscaled: ReadonlySet<string>): boolean {
  return (
    (SCALABLE_KINDS as readonly string[]).includes(manifest.kind) &&
    autoscaled.has(`${manifest.kind}/${manifest.metadata.name}`)
  );
}

/** What the drift check compares: the instance's namespaced objects (a Namespace is the driver's). */
export function comparedManifests(manifests: readonly KubernetesManifest[]): KubernetesManifest[] {
  return manifests.filter((m) => m.kind !== "Namespace" && !CLUSTER_SCOPED_KINDS.has(m.kind));
}

/** The workloads whose replica count drifted, with the stored count: what Re-sync scales back. */
export function replicaDrifts(
  summary: DriftSummary,
  desired: readonly KubernetesManifest[],
): Array<{ kind: "Deployment" | "StatefulSet"; name: string; replicas: number }> {
  return summary.objects.flatMap((object) => {
    if (object.kind !== "Deployment" && object.kind !== "StatefulSet") return [];
    if (!object.fields.some((f) => f.path === "spec.replicas")) return [];
    const manifest = desired.find((m) => m.kind === object.kind && m.metadata.name === object.name);
    const replicas = isRecord(manifest?.spec) ? manifest.spec.replicas : undefined;
    return typeof replicas === "number" ? [{ kind: object.kind, name: object.name, replicas }] : [];
  });
}

export interface DriftVerdict {
  drifted: boolean;
  summary: DriftSummary;
}

/**
 * Compares each desired object with its live twin (matched by API group,
 * kind and name). A desired object that is not live is `missing`; one whose
 * applied fields differ is `changed`, with the fields. Live objects the
 * manifests do not declare are not drift (the console's own guardrails, a
 * ReplicaSet a Deployment made).
 */
export function computeDrift(
  cluster: string,
  desired: readonly KubernetesManifest[],
  live: ReadonlyArray<Record<string, unknown>>,
): DriftVerdict {
  const liveById = new Map<string, Record<string, unknown>>();
  for (const object of live) {
    const metadata = isRecord(object.metadata) ? object.metadata : {};
    if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") continue;
    if (typeof metadata.name !== "string") continue;
    liveById.set(identity(object.apiVersion, object.kind, metadata.name), object);
  }
  const compared = comparedManifests(desired);
  const autoscaled = autoscaledWorkloads(desired);
  const drifted: ObjectDrift[] = [];
  for (const manifest of compared) {
    const base = { apiVersion: manifest.apiVersion, kind: manifest.kind, name: manifest.metadata.name };
    const twin = liveById.get(identity(manifest.apiVersion, manifest.kind, manifest.metadata.name));
    if (!twin) {
      drifted.push({ ...base, state: "missing", fields: [] });
      continue;
    }
    const ignore = replicasIgnored(manifest, autoscaled)
      ? (path: string) => path === "spec.replicas"
      : undefined;
    const fields: FieldDrift[] = diffWithOwnership(manifest, twin, ignore);
    if (fields.length > 0) drifted.push({ ...base, state: "changed", fields });
  }
  return {
    drifted: drifted.length > 0,
    summary: {
      cluster,
      compared: compared.length,
      objects: drifted.slice(0, MAX_DRIFTED_OBJECTS),
      moreObjects: Math.max(0, drifted.length - MAX_DRIFTED_OBJECTS),
    },
  };
}

/** "2 objects (Deployment/web changed, ConfigMap/cfg missing)": the event's sentence. */
export function describeDrift(summary: DriftSummary): string {
  const total = summary.objects.length + summary.moreObjects;
  const shown = summary.objects.slice(0, 3).map((o) => `${o.kind}/${o.name} ${o.state}`);
  const rest = total > shown.length ? `, ${total - shown.length} more` : "";
  return `${total} ${total === 1 ? "object" : "objects"} (${shown.join(", ")}${rest})`;
}
