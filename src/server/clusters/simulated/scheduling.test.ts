import { describe, expect, it } from "vitest";
import { GIB } from "../quantity";
import {
  instanceLabels,
  makeClusterSpec,
  makeContinuum,
  makeDeployment,
  SETTLE_MS,
} from "@/server/testing/cluster-factories";
import { schedulePod } from "./scheduler";

const labels = instanceLabels();

function setup(spec = makeClusterSpec()) {
  const { continuum, clock } = makeContinuum({ clusters: [spec] });
  return { cluster: continuum.cluster(spec.name), clock, continuum };
}

describe("simulated scheduling", () => {
  it("binds every pod of a deployment to a node of the cluster", () => {
    const { cluster } = setup();
    cluster.apply("shop", [makeDeployment({ replicas: 4 })], { labels });
    const pods = cluster.podSummaries("shop");
    const nodeNames = cluster.nodeInfos().map((node) => node.name);
    expect(pods).toHaveLength(4);
    for (const pod of pods) expect(nodeNames).toContain(pod.nodeName);
  });

  it("spreads pods over the least allocated nodes first", () => {
    const { cluster } = setup();
    cluster.apply("shop", [makeDeployment({ replicas: 3, cpu: "1", memory: "1Gi" })], { labels });
    const used = new Set(cluster.podSummaries("shop").map((pod) => pod.nodeName));
    expect(used.size).toBe(3);
  });

  it("never requests more on a node than the node can allocate", () => {
    const { cluster } = setup();
    cluster.apply("shop", [makeDeployment({ replicas: 20, cpu: "700m", memory: "1Gi" })], { labels });
    for (const node of cluster.nodeInfos()) {
      expect(node.requested.cpuMillicores).toBeLessThanOrEqual(node.allocatable.cpuMillicores);
      expect(node.requested.memoryBytes).toBeLessThanOrEqual(node.allocatable.memoryBytes);
    }
    // 3 nodes × floor(3900m / 700m) = 15 pods fit; the other 5 wait.
    const pods = cluster.podSummaries("shop");
    expect(pods.filter((pod) => pod.nodeName !== null)).toHaveLength(15);
  });

  it("leaves pods that fit nowhere Pending with the scheduler's reason", () => {
    const { cluster, clock } = setup();
    cluster.apply("shop", [makeDeployment({ replicas: 1, cpu: "6", memory: "1Gi" })], { labels });
    clock.advance(SETTLE_MS);
    const [pod] = cluster.podSummaries("shop");
    expect(pod?.status.phase).toBe("Pending");
    expect(pod?.pendingReason).toBe("0/3 nodes are available: 3 Insufficient cpu.");
    const tree = cluster.deploymentTree("shop");
    const deployment = tree.nodes.find((node) => node.kind === "Deployment");
    expect(deployment?.health.status).toBe("Progressing");
    expect(deployment?.health.message).toMatch(/Insufficient cpu/);
  });

  it("names every insufficient resource, counted per node", () => {
    const { cluster } = setup();
    cluster.apply("shop", [makeDeployment({ replicas: 1, cpu: "8", memory: "16Gi" })], { labels });
    expect(cluster.podSummaries("shop")[0]?.pendingReason).toBe(
      "0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient memory.",
    );
  });

  it("marks a rollout Degraded once Pending outlasts the progress deadline", () => {
    const { cluster, clock } = setup();
    cluster.apply("shop", [makeDeployment({ replicas: 1, cpu: "6" })], { labels });
    clock.advance(601_000);
    const deployment = cluster.deploymentTree("shop").nodes.find((node) => node.kind === "Deployment");
    expect(deployment?.health.status).toBe("Degraded");
    expect(deployment?.health.message).toMatch(/ProgressDeadlineExceeded/);
  });

  it("binds a Pending pod once deleting another namespace frees capacity", () => {
    const { cluster } = setup();
    cluster.apply("first", [makeDeployment({ replicas: 3, cpu: "3" })], { labels: instanceLabels("a") });
    cluster.apply("second", [makeDeployment({ replicas: 1, cpu: "3" })], { labels: instanceLabels("b") });
    expect(cluster.podSummaries("second")[0]?.nodeName).toBeNull();
    cluster.deleteNamespace("first");
    expect(cluster.podSummaries("second")[0]?.nodeName).not.toBeNull();
  });

  it("places GPU pods only on nodes that have GPUs", () => {
    const { cluster } = setup(makeClusterSpec({ name: "gpu-cluster", vramGb: 16, gpus: 2 }));
    cluster.apply("ml", [makeDeployment({ name: "trainer", replicas: 2, gpus: 1 })], { labels });
    const gpuNodes = cluster
      .nodeInfos()
      .filter((node) => node.capacity.gpus > 0)
      .map((node) => node.name);
    expect(gpuNodes.length).toBeGreaterThan(0);
    const pods = cluster.podSummaries("ml");
    expect(pods).toHaveLength(2);
    for (const pod of pods) expect(gpuNodes).toContain(pod.nodeName);
  });

  it("keeps GPU pods Pending on a cluster without VRAM", () => {
    const { cluster } = setup(makeClusterSpec({ vramGb: 0 }));
    cluster.apply("ml", [makeDeployment({ name: "trainer", replicas: 1, gpus: 1 })], { labels });
    const [pod] = cluster.podSummaries("ml");
    expect(pod?.nodeName).toBeNull();
    expect(pod?.pendingReason).toBe("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
  });

  it("does not hand out more GPUs than a cluster has", () => {
    const { cluster } = setup(makeClusterSpec({ name: "one-gpu", vramGb: 14, gpus: 1 }));
    cluster.apply("ml", [makeDeployment({ name: "trainer", replicas: 2, gpus: 1 })], { labels });
    const bound = cluster.podSummaries("ml").filter((pod) => pod.nodeName !== null);
    expect(bound).toHaveLength(1);
  });

  it("honours a pod's nodeSelector", () => {
    const { cluster } = setup();
    const target = "test-cluster-node-2";
    cluster.apply(
      "shop",
      [makeDeployment({ replicas: 3, nodeSelector: { "kubernetes.io/hostname": target } })],
      { labels },
    );
    for (const pod of cluster.podSummaries("shop")) expect(pod.nodeName).toBe(target);
    cluster.apply("other", [makeDeployment({ replicas: 1, nodeSelector: { disk: "ssd" } })], { labels });
    expect(cluster.podSummaries("other")[0]?.pendingReason).toBe(
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
    );
  });

  it("starts bound pods in ContainerCreating and runs them after their start-up time", () => {
    const { cluster, clock } = setup();
    cluster.apply("shop", [makeDeployment({ replicas: 2 })], { labels });
    expect(cluster.podSummaries("shop").map((pod) => pod.status.phase)).toEqual([
      "ContainerCreating",
      "ContainerCreating",
    ]);
    clock.advance(SETTLE_MS);
    expect(cluster.podSummaries("shop").map((pod) => pod.status.phase)).toEqual(["Running", "Running"]);
  });

  it("scores a node by the mean free share of CPU and memory, ties going to the first node", () => {
    const node = (name: string, cpuUsed: number) => ({
      name,
      labels: {},
      allocatable: { cpuMillicores: 4000, memoryBytes: 8 * GIB, gpus: 0, vramBytes: 0 },
      requested: { cpuMillicores: cpuUsed, memoryBytes: 0, gpus: 0 },
    });
    const pod = { requests: { cpuMillicores: 100, memoryBytes: GIB, gpus: 0, ephemeralStorageBytes: 0 } };
    expect(schedulePod(pod, [node("a", 2000), node("b", 1000)]).nodeName).toBe("b");
    expect(schedulePod(pod, [node("a", 1000), node("b", 1000)]).nodeName).toBe("a");
  });
});
