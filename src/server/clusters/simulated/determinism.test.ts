import { describe, expect, it } from "vitest";
import {
  instanceLabels,
  makeContinuum,
  makeDeployment,
  makeService,
  makeStatefulSet,
  SETTLE_MS,
} from "@/server/testing/cluster-factories";
import { createManualClock } from "./clock";

/** The same scripted session against a fresh continuum: apply, scale, sample usage every minute for an hour. */
function runSession(seed: number) {
  const { continuum, clock } = makeContinuum({ seed, clock: createManualClock(Date.UTC(2025, 4, 29, 6)) });
  const cluster = continuum.cluster("test-cluster");
  cluster.apply("shop", [makeDeployment({ replicas: 3 }), makeService(), makeStatefulSet({ replicas: 2 })], {
    labels: instanceLabels(),
  });
  clock.advance(SETTLE_MS);
  cluster.scale("shop", "Deployment", "web", 4);
  const usage = [];
  for (let minute = 0; minute < 60; minute++) {
    clock.advance(60_000);
    usage.push({ cluster: cluster.usage(), instance: cluster.instanceUsage("shop") });
  }
  return { tree: cluster.deploymentTree("shop"), usage };
}

describe("simulated determinism", () => {
  it("gives an identical tree and usage series for the same seed and calls", () => {
    const first = runSession(42);
    const second = runSession(42);
    expect(second.tree).toEqual(first.tree);
    expect(second.usage).toEqual(first.usage);
  });

  it("gives different names, uids and usage for a different seed", () => {
    const first = runSession(42);
    const other = runSession(43);
    const pods = (run: typeof first) =>
      run.tree.nodes.filter((n) => n.kind === "Pod" && n.name.startsWith("web-"));
    expect(pods(other).map((n) => n.name)).not.toEqual(pods(first).map((n) => n.name));
    expect(other.tree.nodes.map((n) => n.uid)).not.toEqual(first.tree.nodes.map((n) => n.uid));
    expect(other.usage.map((u) => u.cluster.cpu_usage)).not.toEqual(
      first.usage.map((u) => u.cluster.cpu_usage),
    );
  });

  it("does not let reading metrics change what is created next", () => {
    const create = (readInBetween: boolean) => {
      const { continuum } = makeContinuum({ seed: 5 });
      const cluster = continuum.cluster("test-cluster");
      cluster.apply("a", [makeDeployment()], { labels: instanceLabels("a") });
      if (readInBetween) {
        cluster.usage();
        cluster.deploymentTree("a");
        cluster.instanceUsage("a");
      }
      cluster.apply("b", [makeDeployment()], { labels: instanceLabels("b") });
      return cluster.deploymentTree("b").nodes.map((n) => [n.name, n.uid]);
    };
    expect(create(true)).toEqual(create(false));
  });

  it("produces UUID-shaped uids that are unique within a cluster", () => {
    const { tree } = runSession(1);
    const uids = tree.nodes.map((n) => n.uid);
    for (const uid of uids)
      expect(uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(uids).size).toBe(uids.length);
  });
});
