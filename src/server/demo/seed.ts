import type { Db } from "@/server/db";
import { rolesFromRealmRoles } from "@/common/roles";
import { DEMO_USERS } from "@/server/auth";
import { DEMO_CONTINUUM_SPECS } from "@/server/clusters";
import { DEFAULT_REGION } from "@/common/cluster-registration";
import { DEMO_REGIONS } from "./regions";
import { registerClusterAccount } from "@/server/accounting";

export interface SeedResult {
  users: number;
  clustersCreated: string[];
}

/**
 * Seeds the embedded demo: the local issuer's users (same subjects, so a
 * sign-in finds its row) and the five test-bed clusters of the simulated
 * continuum, registered by the demo infrastructure provider and already
 * joined (so registered on the ledger). Idempotent: an existing cluster is
 * left as the operator changed it.
 */
export async function seedDemo(db: Db): Promise<SeedResult> {
  return db.$transaction(
    async (tx) => {
      for (const user of DEMO_USERS) {
        await tx.user.upsert({
          where: { subject: user.subject },
          create: {
            subject: user.subject,
            username: user.username,
            displayName: `${user.givenName} ${user.familyName}`,
            email: user.email,
            roles: rolesFromRealmRoles(user.realmRoles),
          },
          update: {},
        });
      }
      const infra = DEMO_USERS.find((u) => u.realmRoles.includes("infrastructure-provider"));
      if (!infra) throw new Error("the demo users have no infrastructure provider");
      const owner = await tx.user.findUniqueOrThrow({ where: { subject: infra.subject } });
      const clustersCreated: string[] = [];
      for (const spec of DEMO_CONTINUUM_SPECS) {
        const existing = await tx.cluster.findUnique({ where: { name: spec.name }, select: { id: true } });
        if (existing) continue;
        const cluster = await tx.cluster.create({
          data: {
            name: spec.name,
            ownerId: owner.id,
            status: "OK",
            driver: "SIMULATED",
            managedApi: `sim://${spec.name}`,
            cpus: spec.cpus,
            memoryGb: spec.memoryGb,
            storageGb: spec.storageGb,
            vramGb: spec.vramGb ?? 0,
            availabilityPct: spec.availabilityPct,
            greenEnergyPct: spec.greenEnergyPct,
            cost: spec.cost,
            cpuBaseRate: spec.cpuBaseRate,
            memoryBaseRate: spec.memoryBaseRate,
            region: spec.region ?? DEFAULT_REGION,
          },
        });
        await registerClusterAccount(tx, cluster.id);
        clustersCreated.push(spec.name);
      }
      // Pricing data for the demo clusters' regions (so the quick start bills); an operator's edits are kept.
      for (const region of DEMO_REGIONS) {
        await tx.region.upsert({
          where: { name: region.name },
          create: { ...region, updatedBy: "demo seed" },
          update: {},
        });
      }
      return { users: DEMO_USERS.length, clustersCreated };
      // A one-off at start-up on a possibly busy machine: more than the interactive default of 5 s.
    },
    { timeout: 30_000 },
  );
}
