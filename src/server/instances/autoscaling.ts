import { parseDocument } from "yaml";
import type { Prisma } from "@/generated/prisma/client";
import type { TransactionClient } from "@/server/bus";
import { driverFor, type DriverFactory, type ScalableKind } from "@/server/clusters";
import type { Db } from "@/server/db";
import { storedManifests, type StoredManifest } from "./instance-secrets";
import { recordLifecycleEvent } from "./lifecycle";
import { parseRenderedManifests } from "./placement-input";
import { desiredWorkloadReplicas } from "./replicas";

/**
 * Replicas set by an autoscaler (the CFDRL scaling agent, through the MO):
 * the release's Deployments and StatefulSets are scaled on the cluster at
 * once (no re-deployment: the instance stays DEPLOYED), and the new replicas
 * are written into the stored manifests, so the drift check, a re-sync or a
 * migration keep them, as they keep a hand scale's (changes.ts). The
 * instance row is locked first: a migration or deletion that starts
 * meanwhile waits for the scale to commit, and one that started before it
 * drops the request.
 */

export interface AutoscaleRequest {
  instanceId: string;
  /** The cluster the decision was made for: the instance must still run there. */
  cluster: string;
  /** The instance's new total over its Deployments and StatefulSets. */
  replicas: number;
  /** Who scales, for the timeline: "CFDRL". */
  by: string;
  /** Extra detail for the lifecycle event (the decision id). */
  detail?: Prisma.InputJsonObject;
}

export type AutoscaleOutcome =
  | { status: "applied"; previousReplicas: number; replicas: number; changed: boolean }
  | { status: "dropped"; reason: string; replicas: number };

export interface AutoscaleDeps {
  db: Db;
  driverFactory?: DriverFactory;
}

/**
 * Spreads `total` over `count` workloads as evenly as possible, the first
 * ones taking the remainder (one workload: all of it).
 */
export function spreadReplicas(total: number, count: number): number[] {
  if (count <= 0) return [];
  const base = Math.floor(total / count);
  const extra = total - base * count;
  return Array.from({ length: count }, (_, i) => base + (i < extra ? 1 : 0));
}

function withReplicas(
  manifests: readonly StoredManifest[],
  changes: ReadonlyArray<{ kind: ScalableKind; name: string; replicas: number }>,
): StoredManifest[] {
  return manifests.map((m) => {
    const change = changes.find((c) => c.kind === m.kind && c.name === m.name);
    if (!change) return m;
    const doc = parseDocument(m.content);
    doc.setIn(["spec", "replicas"], change.replicas);
    return { ...m, content: doc.toString() };
  });
}

/** Scales an instance to `request.replicas` in the caller's transaction (see the module comment). */
export async function autoscaleInstance(
  tx: TransactionClient,
  deps: AutoscaleDeps,
  request: AutoscaleRequest,
): Promise<AutoscaleOutcome> {
  await tx.$queryRaw`SELECT id FROM workload_instances WHERE id = ${request.instanceId}::uuid FOR UPDATE`;
  const instance = await tx.workloadInstance.findUnique({
    where: { id: request.instanceId },
    select: { id: true, status: true, namespace: true, manifests: true, replicas: true, cluster: true },
  });
  if (!instance || instance.status === "DELETED" || instance.status === "DELETING")
    return { status: "dropped", reason: "instance deleted", replicas: 0 };
  if (instance.status === "MIGRATING")
    return { status: "dropped", reason: "instance is mid-migration", replicas: instance.replicas };
  if (instance.status !== "DEPLOYED")
    return { status: "dropped", reason: `instance is ${instance.status}`, replicas: instance.replicas };
  if (!instance.cluster || instance.cluster.name !== request.cluster)
    return {
      status: "dropped",
      reason: instance.cluster
        ? `instance migrated to ${instance.cluster.name}`
        : "instance runs on no cluster",
      replicas: instance.replicas,
    };

  const stored = storedManifests(instance.manifests);
  const workloads = desiredWorkloadReplicas(parseRenderedManifests(stored));
  const previous = workloads.reduce((sum, w) => sum + w.desired, 0);
  if (workloads.length === 0)
    return { status: "dropped", reason: "instance has no Deployment or StatefulSet", replicas: 0 };
  const targets = spreadReplicas(request.replicas, workloads.length);
  const changes = workloads
    .map((w, i) => ({ kind: w.kind, name: w.name, from: w.desired, replicas: targets[i] ?? 0 }))
    .filter((c) => c.replicas !== c.from);
  if (changes.length === 0)
    return { status: "applied", previousReplicas: previous, replicas: previous, changed: false };

  // Scaling is idempotent: a redelivery after a crash sets the same numbers again.
  const driver = driverFor(deps.db, instance.cluster, deps.driverFactory);
  for (const c of changes) await driver.scale(instance.namespace, c.kind, c.name, c.replicas);

  await tx.workloadInstance.update({
    where: { id: instance.id },
    data: {
      manifests: withReplicas(stored, changes) as unknown as Prisma.InputJsonArray,
      replicas: request.replicas,
    },
  });
  await recordLifecycleEvent(
    tx,
    instance.id,
    "Scaling",
    `Scaled ${previous} → ${request.replicas} replicas (${request.by})`,
    {
      by: request.by,
      cluster: instance.cluster.name,
      fromReplicas: previous,
      toReplicas: request.replicas,
      replicas: changes.map((c) => ({ kind: c.kind, name: c.name, replicas: c.replicas })),
      ...request.detail,
    },
  );
  return { status: "applied", previousReplicas: previous, replicas: request.replicas, changed: true };
}
