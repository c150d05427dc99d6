import type { KubernetesManifest } from "./manifests";

/**
 * Objects the console adds to every instance namespace, besides what the chart
 * declares, so one tenant's pods cannot reach the others' or take a cluster's
 * capacity:
 *
 * - `nemo-default-deny`: a NetworkPolicy selecting every pod with no ingress
 *   rule — nothing reaches the namespace's pods unless allowed below.
 * - `nemo-allow-<service>`: for each Service of the chart, ingress to the pods
 *   it selects on its target ports (what the chart publishes is reachable;
 *   the rest is not). Egress stays open: charts call DNS and outside APIs.
 * - `nemo-defaults`: a LimitRange giving containers without requests a small
 *   default request, so the quota below can count every pod.
 * - `nemo-quota`: a ResourceQuota on requested CPU and memory — twice what the
 *   chart requests (room for a rolling update), or the instance's
 *   DeliverComputingWorkload upper bound (`cpuUsage` / `ramUsage`
 *   IS_LESS_THAN …) when that is larger.
 *
 * They carry the instance's labels like the chart's objects, so a later apply
 * updates them and a delete of the namespace removes them.
 */

export const GUARDRAIL_PREFIX = "nemo-";

/** The requests placement recorded for the instance, and the usage bounds its intents set. */
export interface GuardrailInput {
  manifests: readonly KubernetesManifest[];
  requests: { cpuMillicores: number; memoryBytes: number };
  /** Upper bounds from the instance's intents, in the catalogue's units (millicores, MiB). */
  usageBounds?: { cpuMillicores?: number; memoryMiB?: number };
}

const DEFAULT_REQUEST = { cpu: "50m", memory: "64Mi" };
/** A floor, so a chart that requests nothing still gets room for its defaulted pods. */
const MIN_QUOTA = { cpuMillicores: 500, memoryBytes: 512 * 1024 ** 2 };

function serviceAllowPolicy(service: KubernetesManifest): KubernetesManifest | null {
  const spec = service.spec as { selector?: unknown; ports?: unknown } | undefined;
  const selector = spec?.selector;
  if (typeof selector !== "object" || selector === null || Object.keys(selector).length === 0) return null;
  const ports = Array.isArray(spec?.ports) ? (spec.ports as Array<Record<string, unknown>>) : [];
  const allowed = ports.flatMap((port) => {
    const target = port.targetPort ?? port.port;
    if (typeof target !== "number" && typeof target !== "string") return [];
    const protocol = typeof port.protocol === "string" ? port.protocol : "TCP";
    return [{ port: target, protocol }];
  });
  if (allowed.length === 0) return null;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: `${GUARDRAIL_PREFIX}allow-${service.metadata.name}`.slice(0, 63) },
    spec: { podSelector: { matchLabels: selector }, policyTypes: ["Ingress"], ingress: [{ ports: allowed }] },
  };
}

export function namespaceGuardrails(input: GuardrailInput): KubernetesManifest[] {
  const denyAll: KubernetesManifest = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: `${GUARDRAIL_PREFIX}default-deny` },
    spec: { podSelector: {}, policyTypes: ["Ingress"] },
  };
  const allows = input.manifests
    .filter((m) => m.kind === "Service")
    .flatMap((service) => serviceAllowPolicy(service) ?? []);
  const defaults: KubernetesManifest = {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: `${GUARDRAIL_PREFIX}defaults` },
    spec: { limits: [{ type: "Container", defaultRequest: DEFAULT_REQUEST }] },
  };
  const cpuMillicores = Math.max(
    MIN_QUOTA.cpuMillicores,
    2 * input.requests.cpuMillicores,
    input.usageBounds?.cpuMillicores ?? 0,
  );
  const memoryBytes = Math.max(
    MIN_QUOTA.memoryBytes,
    2 * input.requests.memoryBytes,
    (input.usageBounds?.memoryMiB ?? 0) * 1024 ** 2,
  );
  const quota: KubernetesManifest = {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: `${GUARDRAIL_PREFIX}quota` },
    spec: {
      hard: {
        "requests.cpu": `${Math.ceil(cpuMillicores)}m`,
        "requests.memory": `${Math.ceil(memoryBytes / 1024 ** 2)}Mi`,
      },
    },
  };
  return [denyAll, ...allows, defaults, quota];
}

const UPPER_BOUNDS = new Set(["IS_LESS_THAN", "IS_EQUAL_TO_OR_LESS_THAN", "IS_WITHIN_RANGE"]);

/** The largest usage the intents allow, when they bound it from above. */
export function usageBoundsOf(
  targets: ReadonlyArray<{ targetName: string; condition: string; value: unknown }>,
): NonNullable<GuardrailInput["usageBounds"]> {
  const upper = (name: string): number | undefined => {
    const bounds = targets.flatMap((t) => {
      if (t.targetName !== name || !UPPER_BOUNDS.has(t.condition)) return [];
      const value: unknown = Array.isArray(t.value) ? (t.value as unknown[])[1] : t.value;
      return typeof value === "number" && Number.isFinite(value) ? [value] : [];
    });
    return bounds.length > 0 ? Math.max(...bounds) : undefined;
  };
  const cpu = upper("cpuUsage");
  const ram = upper("ramUsage");
  return { ...(cpu !== undefined && { cpuMillicores: cpu }), ...(ram !== undefined && { memoryMiB: ram }) };
}
