import { describe, expect, it } from "vitest";
import { createDemoContinuum, DEMO_CONTINUUM_SPECS } from "./demo-continuum";
import { GIB } from "./quantity";
import { createManualClock } from "./simulated/clock";
import { SimulatedClusterDriver } from "./simulated/simulated-driver";

describe("demo continuum", () => {
  it("models the five test-bed clusters with their CPU, memory, VRAM, availability and green energy", () => {
    const figures = DEMO_CONTINUUM_SPECS.map((spec) => [
      spec.name,
      spec.cpus,
      spec.memoryGb,
      spec.vramGb ?? 0,
      spec.availabilityPct,
      spec.greenEnergyPct,
    ]);
    expect(figures).toEqual([
      ["dev-onelab", 68, 172, 0, 90, 0],
      ["staging-onelab", 32, 62, 0, 99.9, 60],
      ["pro-onelab", 32, 62, 14, 95, 20],
      ["k3s-onelab", 16, 32, 0, 95, 40],
      ["nemo-smart-farming", 6, 8, 0, 99, 0],
    ]);
  });

  it("exposes each cluster under sim://<name> with its registered properties", async () => {
    const continuum = createDemoContinuum({ seed: 1, clock: createManualClock().now });
    expect(continuum.clusterNames()).toEqual(DEMO_CONTINUUM_SPECS.map((spec) => spec.name).sort());
    for (const spec of DEMO_CONTINUUM_SPECS) {
      const properties = await new SimulatedClusterDriver({ continuum, cluster: spec.name }).properties();
      expect(properties).toMatchObject({
        name: spec.name,
        managedApi: `sim://${spec.name}`,
        cpus: spec.cpus,
        memoryGb: spec.memoryGb,
        cost: spec.cost,
      });
    }
  });

  it("splits each cluster's capacity exactly over its nodes, with pro-onelab's GPU on one node", async () => {
    const continuum = createDemoContinuum({ seed: 1, clock: createManualClock().now });
    for (const spec of DEMO_CONTINUUM_SPECS) {
      const result = await new SimulatedClusterDriver({ continuum, cluster: spec.name }).connect();
      if (!result.ok) throw new Error(result.error.message);
      expect(result.info.nodeCount).toBe(spec.nodes);
      expect(result.info.capacity.cpuMillicores).toBe(spec.cpus * 1000);
      expect(result.info.capacity.memoryBytes).toBe(spec.memoryGb * GIB);
      expect(result.info.capacity.vramBytes).toBe((spec.vramGb ?? 0) * GIB);
    }
    const pro = await new SimulatedClusterDriver({ continuum, cluster: "pro-onelab" }).connect();
    if (!pro.ok) throw new Error(pro.error.message);
    expect(pro.info.nodes.map((node) => node.capacity.gpus)).toEqual([0, 1]);
  });
});
