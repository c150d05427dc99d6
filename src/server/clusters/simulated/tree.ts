import { z } from "zod";
import { type DeploymentTree, type ResourceRef, type Traffic, type TreeNode } from "../driver";
import { type Health, worstHealth } from "../health";
import { type KubernetesManifest } from "../manifests";
import type { PodLoad } from "./load-model";
import { computePodLoads } from "./metrics";
import {
  type ClusterView,
  isRecord,
  resourceKey,
  type SimNamespace,
  type SimPod,
  type SimResource,
} from "./state";

/**
 * The Argo-CD-like resource tree of a namespace, computed on the driver side:
 * Deployment → ReplicaSet → Pod, StatefulSet → Pod and PersistentVolumeClaim,
 * plus every other applied object; Services and Ingresses carry network edges
 * (`targetRefs`) and the traffic of what they front.
 */

const DEFAULT_PROGRESS_DEADLINE_MS = 600_000;

/** Display order: controllers first, then their children, then the rest. */
const KIND_ORDER = [
  "Deployment",
  "StatefulSet",
  "ReplicaSet",
  "Pod",
  "PersistentVolumeClaim",
  "Service",
  "Ingress",
];

const round = (value: number) => Math.round(value * 1000) / 1000;

function groupVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function imagesOf(spec: unknown): string[] {
  if (!isRecord(spec) || !Array.isArray(spec.containers)) return [];
  return spec.containers.flatMap((container: unknown) =>
    isRecord(container) && typeof container.image === "string" ? [container.image] : [],
  );
}

function addTraffic(total: Traffic, add: Traffic | null): Traffic {
  if (!add) return total;
  return {
    requestsPerSecond: total.requestsPerSecond + add.requestsPerSecond,
    bytesIn: total.bytesIn + add.bytesIn,
    bytesOut: total.bytesOut + add.bytesOut,
  };
}

const ZERO_TRAFFIC: Traffic = { requestsPerSecond: 0, bytesIn: 0, bytesOut: 0 };

const ingressSchema = z.looseObject({
  spec: z
    .looseObject({
      defaultBackend: z.looseObject({ service: z.looseObject({ name: z.string() }).optional() }).optional(),
      rules: z
        .array(
          z.looseObject({
            http: z
              .looseObject({
                paths: z.array(
                  z.looseObject({
                    backend: z.looseObject({ service: z.looseObject({ name: z.string() }).optional() }),
                  }),
                ),
              })
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

function ingressServiceNames(manifest: KubernetesManifest): string[] {
  const parsed = ingressSchema.safeParse(manifest);
  if (!parsed.success) return [];
  const names = new Set<string>();
  const backend = parsed.data.spec?.defaultBackend?.service?.name;
  if (backend) names.add(backend);
  for (const rule of parsed.data.spec?.rules ?? [])
    for (const path of rule.http?.paths ?? [])
      if (path.backend.service?.name) names.add(path.backend.service.name);
  return [...names].sort();
}

function serviceSelector(manifest: KubernetesManifest): Record<string, string> | null {
  const selector = isRecord(manifest.spec) ? manifest.spec.selector : undefined;
  if (!isRecord(selector)) return null;
  const entries = Object.entries(selector).filter(
    (entry): entry is [string, string] => typeof entry[1] === "string",
  );
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

interface RolloutInput {
  desired: number;
  pods: ReadonlyArray<{ pod: SimPod; ready: boolean; phase: string }>;
  updatedAt: number;
  deadlineMs: number | null;
  now: number;
  reachable: boolean;
}

/** Argo-style health of a replicated workload from its pods. */
function rolloutHealth(input: RolloutInput): Health {
  if (!input.reachable) return { status: "Unknown", message: "cluster unreachable" };
  const crashing = input.pods.find((p) => p.phase === "CrashLoopBackOff");
  if (crashing) return { status: "Degraded", message: `pod ${crashing.pod.name} is in CrashLoopBackOff` };
  const ready = input.pods.filter((p) => p.ready).length;
  if (ready >= input.desired && input.pods.length === input.desired) return { status: "Healthy" };
  const pending = input.pods.find((p) => p.pod.pendingReason !== null)?.pod.pendingReason;
  const progress = `${ready} of ${input.desired} replicas ready${pending ? `; ${pending}` : ""}`;
  if (input.deadlineMs !== null && input.now - input.updatedAt > input.deadlineMs)
    return { status: "Degraded", message: `ProgressDeadlineExceeded: ${progress}` };
  return { status: "Progressing", message: `Waiting for rollout to finish: ${progress}` };
}

function progressDeadlineMs(resource: SimResource): number {
  const seconds = isRecord(resource.live.spec) ? resource.live.spec.progressDeadlineSeconds : undefined;
  return typeof seconds === "number" ? seconds * 1000 : DEFAULT_PROGRESS_DEADLINE_MS;
}

function desiredOf(resource: SimResource): number {
  const replicas = isRecord(resource.live.spec) ? resource.live.spec.replicas : undefined;
  return typeof replicas === "number" ? replicas : 1;
}

export function buildDeploymentTree(view: ClusterView, namespace: string, now: number): DeploymentTree {
  const observedAt = new Date(now).toISOString();
  const ns = view.namespaceState(namespace);
  const base = { cluster: view.name, namespace, observedAt, reachable: view.reachable };
  if (!ns)
    return {
      ...base,
      health: view.reachable
        ? { status: "Missing", message: `namespace ${namespace} not found` }
        : { status: "Unknown", message: "cluster unreachable" },
      nodes: [],
    };
  const nodes = buildNodes(view, ns, now);
  const topLevel = nodes.filter((node) => node.parentRefs.length === 0).map((node) => node.health);
  return { ...base, health: worstHealth(topLevel), nodes };
}

function buildNodes(view: ClusterView, ns: SimNamespace, now: number): TreeNode[] {
  const loads = view.reachable ? computePodLoads(view, now) : new Map<string, PodLoad>();
  const ref = (kind: string, name: string, uid: string): ResourceRef => ({
    kind,
    name,
    namespace: ns.name,
    uid,
  });
  const node = (
    fields: Pick<TreeNode, "kind" | "name" | "uid" | "status" | "health"> &
      Partial<TreeNode> & { apiVersion: string; createdAtMs: number },
  ): TreeNode => {
    const { apiVersion, createdAtMs, ...rest } = fields;
    return {
      ...groupVersion(apiVersion),
      namespace: ns.name,
      parentRefs: [],
      restarts: 0,
      nodeName: null,
      cluster: view.name,
      traffic: null,
      replicas: null,
      targetRefs: [],
      labels: {},
      images: [],
      createdAt: new Date(createdAtMs).toISOString(),
      ...rest,
    };
  };

  const pods = [...ns.pods.values()].map((pod) => {
    const status = view.podStatus(pod, now);
    const load = loads.get(pod.uid);
    const traffic: Traffic | null = load
      ? {
          requestsPerSecond: round(load.requestsPerSecond),
          bytesIn: round(load.bytesIn),
          bytesOut: round(load.bytesOut),
        }
      : null;
    return { pod, status, traffic, ready: status.ready, phase: status.phase };
  });
  const podNodes = new Map<string, TreeNode>();
  for (const { pod, status, traffic } of pods) {
    podNodes.set(
      pod.uid,
      node({
        apiVersion: "v1",
        kind: "Pod",
        name: pod.name,
        uid: pod.uid,
        parentRefs: pod.owner ? [ref(pod.owner.kind, pod.owner.name, pod.owner.uid)] : [],
        status: status.phase,
        health: status.health,
        restarts: status.restarts,
        nodeName: pod.nodeName,
        traffic,
        labels: { ...pod.labels },
        images: imagesOf(pod.spec),
        createdAtMs: pod.createdAt,
      }),
    );
  }

  const result: TreeNode[] = [...podNodes.values()];
  const serviceNodes = new Map<string, TreeNode>();
  for (const resource of ns.resources.values()) {
    const { kind, name, live } = resource;
    const common = {
      apiVersion: live.apiVersion,
      kind,
      name,
      uid: resource.uid,
      labels: { ...live.metadata.labels },
      createdAtMs: resource.createdAt,
    };
    if (kind === "Pod") continue; // the pod node above stands for it
    if (kind === "Deployment" || kind === "StatefulSet") {
      const key = resourceKey(kind, name);
      const owned = pods.filter((p) => p.pod.workloadKey === key);
      const desired = desiredOf(resource);
      const health = rolloutHealth({
        desired,
        pods: owned,
        updatedAt: resource.updatedAt,
        deadlineMs: progressDeadlineMs(resource),
        now,
        reachable: view.reachable,
      });
      const ready = owned.filter((p) => p.ready).length;
      const template =
        isRecord(live.spec) && isRecord(live.spec.template) ? live.spec.template.spec : undefined;
      result.push(
        node({
          ...common,
          status: `${ready}/${desired} ready`,
          health,
          replicas: { desired, ready },
          restarts: owned.reduce((sum, p) => sum + p.status.restarts, 0),
          traffic: owned.reduce<Traffic | null>(
            (sum, p) => (p.traffic ? addTraffic(sum ?? ZERO_TRAFFIC, p.traffic) : sum),
            null,
          ),
          images: imagesOf(template),
        }),
      );
      continue;
    }
    if (kind === "Service") {
      const selector = serviceSelector(live);
      const targets = selector
        ? pods.filter((p) => Object.entries(selector).every(([k, v]) => p.pod.labels[k] === v))
        : [];
      const type = isRecord(live.spec) && typeof live.spec.type === "string" ? live.spec.type : "ClusterIP";
      const serviceNode = node({
        ...common,
        status: type,
        health: view.reachable
          ? { status: "Healthy" }
          : { status: "Unknown", message: "cluster unreachable" },
        targetRefs: targets.map((p) => ref("Pod", p.pod.name, p.pod.uid)),
        traffic: view.reachable ? targets.reduce((sum, p) => addTraffic(sum, p.traffic), ZERO_TRAFFIC) : null,
      });
      serviceNodes.set(name, serviceNode);
      result.push(serviceNode);
      continue;
    }
    result.push(
      node({
        ...common,
        status: kind === "PersistentVolumeClaim" ? "Bound" : "Active",
        health: view.reachable
          ? { status: "Healthy" }
          : { status: "Unknown", message: "cluster unreachable" },
      }),
    );
  }

  // Ingresses after Services, since they route to them and sum their traffic.
  for (const entry of result) {
    if (entry.kind !== "Ingress") continue;
    const resource = ns.resources.get(resourceKey("Ingress", entry.name));
    if (!resource) continue;
    const services = ingressServiceNames(resource.live).flatMap((name) => {
      const service = serviceNodes.get(name);
      return service ? [service] : [];
    });
    entry.targetRefs = services.map((service) => ref("Service", service.name, service.uid));
    entry.traffic = view.reachable
      ? services.reduce((sum, s) => addTraffic(sum, s.traffic), ZERO_TRAFFIC)
      : null;
  }

  for (const rs of ns.replicaSets.values()) {
    const owned = pods.filter((p) => p.pod.owner?.uid === rs.uid);
    const ready = owned.filter((p) => p.ready).length;
    result.push(
      node({
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        name: rs.name,
        uid: rs.uid,
        parentRefs: [ref(rs.owner.kind, rs.owner.name, rs.owner.uid)],
        status: `${ready}/${rs.replicas} ready`,
        health: rolloutHealth({
          desired: rs.replicas,
          pods: owned,
          updatedAt: rs.createdAt,
          deadlineMs: null,
          now,
          reachable: view.reachable,
        }),
        replicas: { desired: rs.replicas, ready },
        restarts: owned.reduce((sum, p) => sum + p.status.restarts, 0),
        labels: { "pod-template-hash": rs.templateHash },
        createdAtMs: rs.createdAt,
      }),
    );
  }

  for (const claim of ns.claims.values()) {
    result.push(
      node({
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        name: claim.name,
        uid: claim.uid,
        parentRefs: claim.owner ? [ref(claim.owner.kind, claim.owner.name, claim.owner.uid)] : [],
        status: "Bound",
        health: view.reachable
          ? { status: "Healthy" }
          : { status: "Unknown", message: "cluster unreachable" },
        createdAtMs: claim.createdAt,
      }),
    );
  }

  const order = (kind: string) => {
    const index = KIND_ORDER.indexOf(kind);
    return index < 0 ? KIND_ORDER.length : index;
  };
  for (const entry of result)
    if (entry.traffic)
      entry.traffic = {
        requestsPerSecond: round(entry.traffic.requestsPerSecond),
        bytesIn: round(entry.traffic.bytesIn),
        bytesOut: round(entry.traffic.bytesOut),
      };
  return result.sort(
    (a, b) =>
      order(a.kind) - order(b.kind) ||
      (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
