import { describe, expect, it } from "vitest";
import { collectClusterUsage } from "./fan-out";
import { SimulatedClusterDriver } from "./simulated/simulated-driver";
import { makeClusterSpec, makeContinuum } from "@/server/testing/cluster-factories";

describe("fan-out over clusters", () => {
  it("turns a down cluster into an error entry and still reports the others", async () => {
    const { continuum } = makeContinuum({
      clusters: ["a", "b", "c"].map((name) => makeClusterSpec({ name })),
    });
    continuum.injectFailure("b", { type: "cluster-down" });
    const drivers = ["a", "b", "c"].map((cluster) => new SimulatedClusterDriver({ continuum, cluster }));
    const { results, errors } = await collectClusterUsage(drivers);
    expect(results.map((sample) => sample.cluster)).toEqual(["a", "c"]);
    expect(errors).toEqual([{ type: "UNREACHABLE", message: expect.any(String), cluster: "b" }]);
  });
});
