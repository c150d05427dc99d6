import { INSTANCE_ID_LABEL } from "@/server/clusters/driver";
import { type KubernetesManifest } from "@/server/clusters/manifests";
import { createManualClock, type ManualClock } from "@/server/clusters/simulated/clock";
import { type SimulatedClusterSpecInput } from "@/server/clusters/simulated/cluster-spec";
import { SimulatedContinuum, type SimulatedContinuumOptions } from "@/server/clusters/simulated/continuum";

/** Small factories for the cluster tests: each builds a valid object, tests override what they are about. */

export function instanceLabels(id = "instance-1"): Record<string, string> {
  return { [INSTANCE_ID_LABEL]: id };
}

interface ContainerOptions {
  cpu?: string;
  memory?: string;
  cpuLimit?: string;
  memoryLimit?: string;
  gpus?: number;
  image?: string;
}

function container(name: string, options: ContainerOptions) {
  const requests: Record<string, string> = {};
  const limits: Record<string, string | number> = {};
  if (options.cpu) requests.cpu = options.cpu;
  if (options.memory) requests.memory = options.memory;
  if (options.cpuLimit) limits.cpu = options.cpuLimit;
  if (options.memoryLimit) limits.memory = options.memoryLimit;
  if (options.gpus) limits["nvidia.com/gpu"] = options.gpus;
  return {
    name,
    image: options.image ?? `registry.example/${name}:1.0`,
    resources: {
      ...(Object.keys(requests).length ? { requests } : {}),
      ...(Object.keys(limits).length ? { limits } : {}),
    },
  };
}

export interface WorkloadOptions extends ContainerOptions {
  name?: string;
  replicas?: number;
  nodeSelector?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function makeDeployment(options: WorkloadOptions = {}): KubernetesManifest {
  const name = options.name ?? "web";
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name,
      labels: { app: name },
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
    spec: {
      replicas: options.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [container(name, { cpu: "250m", memory: "256Mi", ...options })],
          ...(options.nodeSelector ? { nodeSelector: options.nodeSelector } : {}),
        },
      },
    },
  };
}

export function makeStatefulSet(options: WorkloadOptions & { storage?: string } = {}): KubernetesManifest {
  const name = options.name ?? "db";
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: options.replicas ?? 2,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [container(name, { cpu: "500m", memory: "1Gi", ...options })] },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data" },
          spec: {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: options.storage ?? "10Gi" } },
          },
        },
      ],
    },
  };
}

export function makeService(
  options: { name?: string; selector?: Record<string, string> } = {},
): KubernetesManifest {
  const name = options.name ?? "web";
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name },
    spec: { selector: options.selector ?? { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
  };
}

export function makeIngress(options: { name?: string; service?: string } = {}): KubernetesManifest {
  const name = options.name ?? "web";
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name },
    spec: {
      rules: [
        {
          host: "web.example",
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: options.service ?? name, port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  };
}

export function makeConfigMap(
  options: { name?: string; data?: Record<string, string> } = {},
): KubernetesManifest {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: options.name ?? "settings" },
    data: options.data ?? { LOG_LEVEL: "info" },
  };
}

/** Three nodes of 4 cores / 8 GB by default: small enough to fill in a test. */
export function makeClusterSpec(
  overrides: Partial<SimulatedClusterSpecInput> = {},
): SimulatedClusterSpecInput {
  return {
    name: "test-cluster",
    nodes: 3,
    cpus: 12,
    memoryGb: 24,
    storageGb: 100,
    vramGb: 0,
    availabilityPct: 99,
    greenEnergyPct: 50,
    cost: "low_cost",
    cpuBaseRate: 10,
    memoryBaseRate: 10,
    ...overrides,
  };
}

export function makeContinuum(
  options: Partial<Omit<SimulatedContinuumOptions, "clock" | "sleep">> & { clock?: ManualClock } = {},
): { continuum: SimulatedContinuum; clock: ManualClock } {
  const clock = options.clock ?? createManualClock();
  const continuum = new SimulatedContinuum({
    seed: 7,
    clusters: [makeClusterSpec()],
    ...options,
    clock: clock.now,
    sleep: clock.sleep,
  });
  return { continuum, clock };
}

/** Longer than the longest default pod start-up, so bound pods are Running afterwards. */
export const SETTLE_MS = 5_000;

/** A kubeconfig whose current context points at the simulated cluster `sim://<cluster>`, with a bearer token. */
export function simKubeconfig(cluster: string, token = "t0ken"): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${cluster}`,
    "  cluster:",
    `    server: sim://${cluster}`,
    "users:",
    "- name: operator",
    "  user:",
    `    token: ${token}`,
    "contexts:",
    `- name: ${cluster}`,
    "  context:",
    `    cluster: ${cluster}`,
    "    user: operator",
    `current-context: ${cluster}`,
    "",
  ].join("\n");
}

/** A valid Register Cluster form for a simulated cluster; tests override the field they are about. */
export function makeRegistrationForm(name: string, overrides: Record<string, unknown> = {}, token = "t0ken") {
  return {
    name,
    managedApi: `sim://${name}`,
    kubeconfig: simKubeconfig(name, token),
    cpus: 8,
    memoryGb: 16,
    storageGb: 100,
    vramGb: 0,
    availabilityPct: 99.9,
    greenEnergyPct: 40,
    cost: "low_cost" as const,
    cpuBaseRate: 10,
    memoryBaseRate: 5,
    ...overrides,
  };
}
