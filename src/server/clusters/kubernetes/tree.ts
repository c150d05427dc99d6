import {
  type V1Deployment,
  type V1Ingress,
  type V1ObjectMeta,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1PodTemplateSpec,
  type V1ReplicaSet,
  type V1Service,
  type V1StatefulSet,
} from "@kubernetes/client-node";
import { type DeploymentTree, type ResourceRef, type TreeNode } from "../driver";
import { type Health, HEALTH_PRIORITY, worstHealth } from "../health";
import {
  claimHealth,
  deploymentHealth,
  ingressHealth,
  podHealth,
  podStatusText,
  replicaSetHealth,
  serviceHealth,
  statefulSetHealth,
} from "./resource-health";

/**
 * The deployment tree of a namespace from live objects: ownership edges from
 * `ownerReferences` (Deployment ← ReplicaSet ← Pod, StatefulSet ← Pod),
 * network edges from Service selectors and Ingress backends, health after
 * Argo CD. Traffic is null throughout: the API server has no request rates,
 * and none are made up.
 */

export interface NamespaceObjects {
  deployments: readonly V1Deployment[];
  replicaSets: readonly V1ReplicaSet[];
  pods: readonly V1Pod[];
  statefulSets: readonly V1StatefulSet[];
  services: readonly V1Service[];
  claims: readonly V1PersistentVolumeClaim[];
  ingresses: readonly V1Ingress[];
}

/** Display order, as in the simulated tree: controllers first, then their children, then the rest. */
const KIND_ORDER = [
  "Deployment",
  "StatefulSet",
  "ReplicaSet",
  "Pod",
  "PersistentVolumeClaim",
  "Service",
  "Ingress",
];

const GROUP_VERSION: Readonly<Record<string, { group: string; version: string }>> = {
  Deployment: { group: "apps", version: "v1" },
  StatefulSet: { group: "apps", version: "v1" },
  ReplicaSet: { group: "apps", version: "v1" },
  Pod: { group: "", version: "v1" },
  PersistentVolumeClaim: { group: "", version: "v1" },
  Service: { group: "", version: "v1" },
  Ingress: { group: "networking.k8s.io", version: "v1" },
};

const replicaText = (ready: number, desired: number) => `${ready}/${desired} ready`;

function imagesOf(
  template: { spec?: { containers?: ReadonlyArray<{ image?: string }> } } | undefined,
): string[] {
  return (template?.spec?.containers ?? []).flatMap((c) => (c.image ? [c.image] : []));
}

function restartsOf(pod: V1Pod): number {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return statuses.reduce((sum, status) => sum + (status.restartCount ?? 0), 0);
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/**
 * A controller is as bad as its worst pod: a Deployment whose pods crash-loop
 * is Degraded now, not only once its progress deadline has passed. The
 * simulated tree reports it the same way.
 */
function withPods(
  own: Health,
  pods: ReadonlyArray<{ name: string; health: Health; status: string }>,
): Health {
  const degraded = pods.find((pod) => pod.health.status === "Degraded");
  if (!degraded || HEALTH_PRIORITY[own.status] >= HEALTH_PRIORITY.Degraded) return own;
  return { status: "Degraded", message: `pod ${degraded.name} is in ${degraded.status}` };
}

function createdAt(metadata: V1ObjectMeta | undefined): string {
  const stamp = metadata?.creationTimestamp;
  return stamp instanceof Date && !Number.isNaN(stamp.getTime()) ? stamp.toISOString() : "";
}

export function buildDeploymentTree(input: {
  cluster: string;
  namespace: string;
  objects: NamespaceObjects;
  observedAt: string;
}): DeploymentTree {
  const { cluster, namespace, objects } = input;
  const nodes: TreeNode[] = [];

  const refOf = (kind: string, metadata: V1ObjectMeta | undefined): ResourceRef => ({
    kind,
    name: metadata?.name ?? "",
    namespace,
    uid: metadata?.uid ?? "",
  });
  const parentsOf = (metadata: V1ObjectMeta | undefined): ResourceRef[] =>
    (metadata?.ownerReferences ?? []).map((owner) => ({
      kind: owner.kind,
      name: owner.name,
      namespace,
      uid: owner.uid,
    }));
  const node = (
    kind: string,
    metadata: V1ObjectMeta | undefined,
    fields: Pick<TreeNode, "status" | "health"> & Partial<TreeNode>,
  ): TreeNode => ({
    group: GROUP_VERSION[kind]?.group ?? "",
    version: GROUP_VERSION[kind]?.version ?? "v1",
    kind,
    name: metadata?.name ?? "",
    namespace,
    uid: metadata?.uid ?? "",
    parentRefs: parentsOf(metadata),
    restarts: 0,
    nodeName: null,
    cluster,
    traffic: null,
    replicas: null,
    targetRefs: [],
    labels: { ...metadata?.labels },
    images: [],
    createdAt: createdAt(metadata),
    ...fields,
  });

  const pods = objects.pods.map((pod) => ({
    pod,
    name: pod.metadata?.name ?? "",
    uid: pod.metadata?.uid ?? "",
    owners: new Set((pod.metadata?.ownerReferences ?? []).map((owner) => owner.uid)),
    status: podStatusText(pod),
    health: podHealth(pod),
    ready: isReady(pod),
    restarts: restartsOf(pod),
  }));
  type PodView = (typeof pods)[number];
  const podsOwnedBy = (uids: ReadonlySet<string>) =>
    pods.filter((p) => [...p.owners].some((owner) => uids.has(owner)));

  for (const p of pods)
    nodes.push(
      node("Pod", p.pod.metadata, {
        status: p.status,
        health: p.health,
        restarts: p.restarts,
        nodeName: p.pod.spec?.nodeName ?? null,
        images: imagesOf(p.pod),
      }),
    );

  const controller = (
    kind: string,
    metadata: V1ObjectMeta | undefined,
    template: V1PodTemplateSpec | undefined,
    own: Health,
    owned: readonly PodView[],
    desired: number,
    ready: number,
  ) =>
    node(kind, metadata, {
      status: replicaText(ready, desired),
      health: withPods(own, owned),
      replicas: { desired, ready },
      restarts: owned.reduce((sum, p) => sum + p.restarts, 0),
      images: imagesOf(template),
    });

  for (const replicaSet of objects.replicaSets) {
    const owned = podsOwnedBy(new Set([replicaSet.metadata?.uid ?? ""]));
    nodes.push(
      controller(
        "ReplicaSet",
        replicaSet.metadata,
        replicaSet.spec?.template,
        replicaSetHealth(replicaSet),
        owned,
        replicaSet.spec?.replicas ?? 1,
        replicaSet.status?.readyReplicas ?? 0,
      ),
    );
  }

  for (const deployment of objects.deployments) {
    const uid = deployment.metadata?.uid ?? "";
    const replicaSets = new Set(
      objects.replicaSets
        .filter((rs) => (rs.metadata?.ownerReferences ?? []).some((owner) => owner.uid === uid))
        .map((rs) => rs.metadata?.uid ?? ""),
    );
    nodes.push(
      controller(
        "Deployment",
        deployment.metadata,
        deployment.spec?.template,
        deploymentHealth(deployment),
        podsOwnedBy(replicaSets),
        deployment.spec?.replicas ?? 1,
        deployment.status?.readyReplicas ?? 0,
      ),
    );
  }

  for (const statefulSet of objects.statefulSets) {
    nodes.push(
      controller(
        "StatefulSet",
        statefulSet.metadata,
        statefulSet.spec?.template,
        statefulSetHealth(statefulSet),
        podsOwnedBy(new Set([statefulSet.metadata?.uid ?? ""])),
        statefulSet.spec?.replicas ?? 1,
        statefulSet.status?.readyReplicas ?? 0,
      ),
    );
  }

  for (const claim of objects.claims)
    nodes.push(
      node("PersistentVolumeClaim", claim.metadata, {
        status: claim.status?.phase ?? "Unknown",
        health: claimHealth(claim),
      }),
    );

  for (const service of objects.services) {
    const selector = service.spec?.selector;
    const targets =
      selector && Object.keys(selector).length > 0
        ? pods.filter((p) =>
            Object.entries(selector).every(([key, value]) => p.pod.metadata?.labels?.[key] === value),
          )
        : [];
    nodes.push(
      node("Service", service.metadata, {
        status: service.spec?.type ?? "ClusterIP",
        health: serviceHealth(service),
        targetRefs: targets.map((p) => refOf("Pod", p.pod.metadata)),
      }),
    );
  }

  const servicesByName = new Map(objects.services.map((s) => [s.metadata?.name ?? "", s]));
  for (const ingress of objects.ingresses) {
    const names = new Set<string>();
    const fallback = ingress.spec?.defaultBackend?.service?.name;
    if (fallback) names.add(fallback);
    for (const rule of ingress.spec?.rules ?? [])
      for (const path of rule.http?.paths ?? [])
        if (path.backend.service?.name) names.add(path.backend.service.name);
    const addresses = (ingress.status?.loadBalancer?.ingress ?? []).flatMap((a) =>
      a.ip ? [a.ip] : a.hostname ? [a.hostname] : [],
    );
    nodes.push(
      node("Ingress", ingress.metadata, {
        status: addresses.length > 0 ? addresses.join(",") : "Pending",
        health: ingressHealth(ingress),
        targetRefs: [...names].sort().flatMap((name) => {
          const service = servicesByName.get(name);
          return service ? [refOf("Service", service.metadata)] : [];
        }),
      }),
    );
  }

  const order = (kind: string) => {
    const index = KIND_ORDER.indexOf(kind);
    return index < 0 ? KIND_ORDER.length : index;
  };
  nodes.sort((a, b) => order(a.kind) - order(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const topLevel = nodes.filter((n) => n.parentRefs.length === 0).map((n) => n.health);
  return {
    cluster,
    namespace,
    observedAt: input.observedAt,
    reachable: true,
    health: worstHealth(topLevel),
    nodes,
  };
}
