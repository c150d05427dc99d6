import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "@/server/db/client";
import { DEMO_CONTINUUM_SPECS } from "@/server/clusters/demo-continuum";
import { DEMO_REGIONS } from "./regions";
import { seedDemo } from "./seed";

const db = createDb(process.env.DATABASE_URL);
afterAll(async () => db.$disconnect());

describe("the demo seed", () => {
  it("registers the five test-bed clusters, joined and owned by the demo infrastructure provider", async () => {
    await seedDemo(db);
    const clusters = await db.cluster.findMany({
      where: { name: { in: DEMO_CONTINUUM_SPECS.map((s) => s.name) } },
      include: { owner: true },
      orderBy: { name: "asc" },
    });
    expect(
      clusters.map((c) => [
        c.name,
        c.cpus,
        c.memoryGb,
        c.vramGb,
        Number(c.availabilityPct),
        c.greenEnergyPct,
        c.status,
      ]),
    ).toEqual([
      ["dev-onelab", 68, 172, 0, 90, 0, "OK"],
      ["k3s-onelab", 16, 32, 0, 95, 40, "OK"],
      ["nemo-smart-farming", 6, 8, 0, 99, 0, "OK"],
      ["pro-onelab", 32, 62, 14, 95, 20, "OK"],
      ["staging-onelab", 32, 62, 0, 99.9, 60, "OK"],
    ]);
    expect(new Set(clusters.map((c) => c.owner.username))).toEqual(new Set(["infra"]));
    expect(clusters.every((c) => c.managedApi === `sim://${c.name}` && c.driver === "SIMULATED")).toBe(true);
  });

  it("gives every demo cluster's region pricing data (so the quick start bills), keeping an admin's edits", async () => {
    await seedDemo(db);
    const regions = new Set(DEMO_CONTINUUM_SPECS.map((s) => s.region ?? "default"));
    const rows = await db.region.findMany({ where: { name: { in: [...regions] } } });
    expect(rows.map((r) => r.name).sort()).toEqual([...regions].sort());
    await db.region.update({ where: { name: DEMO_REGIONS[0].name }, data: { regionalGpuCosts: 123n } });
    await seedDemo(db);
    expect(
      (await db.region.findUniqueOrThrow({ where: { name: DEMO_REGIONS[0].name } })).regionalGpuCosts,
    ).toBe(123n);
  });

  it("is idempotent and keeps what an operator changed", async () => {
    await seedDemo(db);
    await db.cluster.update({
      where: { name: "k3s-onelab" },
      data: { status: "ERROR", statusReason: "drained" },
    });
    const again = await seedDemo(db);
    expect(again.clustersCreated).toEqual([]);
    expect(await db.cluster.count({ where: { name: { in: DEMO_CONTINUUM_SPECS.map((s) => s.name) } } })).toBe(
      5,
    );
    expect((await db.cluster.findUniqueOrThrow({ where: { name: "k3s-onelab" } })).status).toBe("ERROR");
    expect(
      await db.user.count({
        where: { username: { in: ["admin", "infra", "provider", "provider2", "nobody"] } },
      }),
    ).toBe(5);
  });
});
