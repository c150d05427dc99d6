import { serverEnv } from "@/server/env";
import { type SimulatedClusterSpecInput } from "./simulated/cluster-spec";
import { SimulatedContinuum, type SimulatedContinuumOptions } from "./simulated/continuum";

/**
 * The five clusters of the product's reference test-bed, as simulated specs
 * (managed API `sim://<name>`). CPU, memory, VRAM, availability and green
 * energy are the test-bed's figures; the rest is chosen here:
 *
 * - storage: sized to the role (large dev cluster 1 TB, staging and pro
 *   500 GB, the single-node k3s box 250 GB, the edge farm 128 GB);
 * - nodes: dev has 4 workers of 17 cores / 43 GB, staging and pro 2 of
 *   16 cores / 31 GB, k3s is one node, the farm 2 small edge nodes of
 *   3 cores / 4 GB; pro's one GPU (14 GB VRAM) sits on its last node;
 * - cost class: high_performance for the production-grade clusters (staging
 *   99.9 %, pro with GPU), low_cost for dev, k3s and the edge farm;
 * - base rates (MOCA credits per CPU core and per GB of memory per charging
 *   period): higher for better availability and hardware — pro 20/10,
 *   staging 15/8, dev 8/4, k3s 6/3, farm 4/2.
 */
export const DEMO_CONTINUUM_SPECS: readonly SimulatedClusterSpecInput[] = [
  {
    name: "dev-onelab",
    nodes: 4,
    cpus: 68,
    memoryGb: 172,
    storageGb: 1000,
    vramGb: 0,
    availabilityPct: 90,
    greenEnergyPct: 0,
    cost: "low_cost",
    cpuBaseRate: 8,
    memoryBaseRate: 4,
    region: "eu-west",
  },
  {
    name: "staging-onelab",
    nodes: 2,
    cpus: 32,
    memoryGb: 62,
    storageGb: 500,
    vramGb: 0,
    availabilityPct: 99.9,
    greenEnergyPct: 60,
    cost: "high_performance",
    cpuBaseRate: 15,
    memoryBaseRate: 8,
    region: "eu-west",
  },
  {
    name: "pro-onelab",
    nodes: 2,
    cpus: 32,
    memoryGb: 62,
    storageGb: 500,
    vramGb: 14,
    gpus: 1,
    availabilityPct: 95,
    greenEnergyPct: 20,
    cost: "high_performance",
    cpuBaseRate: 20,
    memoryBaseRate: 10,
    region: "eu-west",
  },
  {
    name: "k3s-onelab",
    nodes: 1,
    cpus: 16,
    memoryGb: 32,
    storageGb: 250,
    vramGb: 0,
    availabilityPct: 95,
    greenEnergyPct: 40,
    cost: "low_cost",
    cpuBaseRate: 6,
    memoryBaseRate: 3,
    region: "eu-west",
  },
  {
    name: "nemo-smart-farming",
    nodes: 2,
    cpus: 6,
    memoryGb: 8,
    storageGb: 128,
    vramGb: 0,
    availabilityPct: 99,
    greenEnergyPct: 0,
    cost: "low_cost",
    cpuBaseRate: 4,
    memoryBaseRate: 2,
    region: "eu-edge",
  },
];

/** A continuum of the five test-bed clusters. */
export function createDemoContinuum(
  options: Omit<SimulatedContinuumOptions, "clusters">,
): SimulatedContinuum {
  return new SimulatedContinuum({ ...options, clusters: DEMO_CONTINUUM_SPECS });
}

const globalForContinuum = globalThis as unknown as { nemoSimulatedContinuum?: SimulatedContinuum };

/**
 * The process-wide demo continuum on the wall clock, seeded by `SIM_SEED`
 * (kept on globalThis so Next's dev reloads keep the simulated state). Its
 * state lives in this process only; processes that must see the same clusters
 * use `sharedSimulatedContinuum(db)` (`createClusterDriver(config, { db })`).
 */
export function defaultSimulatedContinuum(): SimulatedContinuum {
  globalForContinuum.nemoSimulatedContinuum ??= createDemoContinuum({ seed: serverEnv().SIM_SEED });
  return globalForContinuum.nemoSimulatedContinuum;
}
