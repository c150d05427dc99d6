import { describe, expect, it } from "vitest";
import type { DeploymentTree, KubernetesManifest, TreeNode } from "@/server/clusters";
import { instanceReplicasFrom, totalDesiredReplicas } from "./replicas";

const manifest = (kind: string, name: string, replicas?: number): KubernetesManifest => ({
  apiVersion: kind === "Service" ? "v1" : "apps/v1",
  kind,
  metadata: { name },
  ...(kind === "Service" ? {} : { spec: replicas === undefined ? {} : { replicas } }),
});

const node = (kind: string, name: string, ready: number, desired: number): TreeNode => ({
  group: "apps",
  version: "v1",
  kind,
  name,
  namespace: "ns",
  uid: `${kind}-${name}`,
  parentRefs: [],
  status: "Running",
  health: { status: "Healthy" },
  restarts: 0,
  nodeName: null,
  cluster: "c",
  traffic: null,
  replicas: { desired, ready },
  targetRefs: [],
  labels: {},
  images: [],
  createdAt: "2026-01-01T00:00:00Z",
});

const tree = (nodes: TreeNode[], reachable = true): DeploymentTree => ({
  cluster: "c",
  namespace: "ns",
  observedAt: "2026-01-01T00:00:00Z",
  reachable,
  health: { status: "Healthy" },
  nodes,
});

const manifests = [
  manifest("Deployment", "web", 3),
  manifest("StatefulSet", "db"),
  manifest("Service", "web"),
];

describe("instance replicas", () => {
  it("sums spec.replicas of Deployments and StatefulSets; an absent count is 1, other kinds count nothing", () => {
    expect(totalDesiredReplicas(manifests)).toBe(4);
    expect(totalDesiredReplicas([manifest("Service", "only")])).toBe(0);
    expect(totalDesiredReplicas([manifest("Deployment", "off", 0)])).toBe(0);
  });

  it("reads ready per workload from the live tree; a workload missing from it has 0 ready", () => {
    const replicas = instanceReplicasFrom(manifests, tree([node("Deployment", "web", 2, 3)]));
    expect(replicas).toEqual({
      desired: 4,
      ready: 2,
      workloads: [
        { kind: "Deployment", name: "web", desired: 3, ready: 2 },
        { kind: "StatefulSet", name: "db", desired: 1, ready: 0 },
      ],
    });
  });

  it("leaves ready unknown without a tree or when the cluster did not answer", () => {
    expect(instanceReplicasFrom(manifests, null).ready).toBeNull();
    const stale = instanceReplicasFrom(manifests, tree([node("Deployment", "web", 3, 3)], false));
    expect(stale.ready).toBeNull();
    expect(stale.workloads.every((w) => w.ready === null)).toBe(true);
  });
});
