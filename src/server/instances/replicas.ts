import {
  SCALABLE_KINDS,
  type DeploymentTree,
  type KubernetesManifest,
  type ScalableKind,
} from "@/server/clusters";

/**
 * An instance's replicas: desired from its rendered Deployments and
 * StatefulSets (what it asks the cluster for), ready from the cluster's live
 * state (what the deployment tree reads).
 */
export interface WorkloadReplicas {
  kind: ScalableKind;
  name: string;
  desired: number;
  /** Null when the live state was not read (not deployed, or the cluster did not answer). */
  ready: number | null;
}

export interface InstanceReplicas {
  /** Summed over the instance's Deployments and StatefulSets. */
  desired: number;
  ready: number | null;
  workloads: WorkloadReplicas[];
}

function isScalable(kind: string): kind is ScalableKind {
  return (SCALABLE_KINDS as readonly string[]).includes(kind);
}

/** Desired replicas per Deployment / StatefulSet; an absent `spec.replicas` is 1, as the API server defaults it. */
export function desiredWorkloadReplicas(
  manifests: readonly KubernetesManifest[],
): Array<{ kind: ScalableKind; name: string; desired: number }> {
  const workloads: Array<{ kind: ScalableKind; name: string; desired: number }> = [];
  for (const manifest of manifests) {
    if (!isScalable(manifest.kind)) continue;
    const spec = manifest.spec as { replicas?: unknown } | undefined;
    const replicas = spec?.replicas;
    const desired =
      typeof replicas === "number" && Number.isInteger(replicas) && replicas >= 0 ? replicas : 1;
    workloads.push({ kind: manifest.kind, name: manifest.metadata.name, desired });
  }
  return workloads;
}

/** The instance's total desired replicas (0 when it renders no Deployment or StatefulSet). */
export function totalDesiredReplicas(manifests: readonly KubernetesManifest[]): number {
  return desiredWorkloadReplicas(manifests).reduce((sum, w) => sum + w.desired, 0);
}

/**
 * Desired from the manifests, ready from the live tree's Deployment /
 * StatefulSet nodes; `tree` null (or unreachable) leaves ready unknown.
 */
export function instanceReplicasFrom(
  manifests: readonly KubernetesManifest[],
  tree: DeploymentTree | null,
): InstanceReplicas {
  const live = tree?.reachable ? tree : null;
  const workloads = desiredWorkloadReplicas(manifests).map((w) => {
    if (!live) return { ...w, ready: null };
    const node = live.nodes.find((n) => n.kind === w.kind && n.name === w.name);
    return { ...w, ready: node?.replicas?.ready ?? 0 };
  });
  return {
    desired: workloads.reduce((sum, w) => sum + w.desired, 0),
    ready: live ? workloads.reduce((sum, w) => sum + (w.ready ?? 0), 0) : null,
    workloads,
  };
}
