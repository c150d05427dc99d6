import { describe, expect, it } from "vitest";
import { kubeconfigWith } from "@/server/testing/hostile-kubeconfigs";
import { registerClusterInputSchema } from "@/common/cluster-registration";

const base = {
  name: "edge",
  managedApi: "https://api.cluster.example:6443",
  kubeconfig: kubeconfigWith({}),
  cpus: 1,
  memoryGb: 1,
  storageGb: 0,
  vramGb: 0,
  availabilityPct: 99,
  greenEnergyPct: 0,
  cost: "low_cost",
  cpuBaseRate: 1,
  memoryBaseRate: 1,
};

const problems = (input: Record<string, unknown>) =>
  registerClusterInputSchema
    .safeParse({ ...base, ...input })
    .error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) ?? [];

describe("cluster registration: grid intensity", () => {
  it("is optional; a form's empty field means not given", () => {
    expect(registerClusterInputSchema.parse(base).gridIntensity).toBeUndefined();
    expect(registerClusterInputSchema.parse({ ...base, gridIntensity: "" }).gridIntensity).toBeUndefined();
    expect(registerClusterInputSchema.parse({ ...base, gridIntensity: "310" }).gridIntensity).toBe(310);
  });

  it("takes a 24-hour profile, UTC hour 0 first", () => {
    const hourly = Array.from({ length: 24 }, (_, h) => 200 + h);
    expect(
      registerClusterInputSchema.parse({ ...base, gridIntensityHourly: hourly }).gridIntensityHourly,
    ).toEqual(hourly);
  });

  it("names the field that is out of range or the wrong shape", () => {
    expect(problems({ gridIntensity: 6000 })).toEqual([
      "gridIntensity: Grid intensity (gCO2e/kWh) must be at most 5000.",
    ]);
    expect(problems({ gridIntensity: -1 })).toEqual([
      "gridIntensity: Grid intensity (gCO2e/kWh) must be at least 0.",
    ]);
    expect(problems({ gridIntensityHourly: [1, 2, 3] })).toEqual([
      "gridIntensityHourly: Hourly grid intensity needs 24 values (UTC hours 0-23).",
    ]);
  });
});
