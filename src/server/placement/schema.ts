import { z } from "zod";
import { conditionSchema, conditionValueSchema } from "./conditions";

/** Inputs of the placement engine, validated at the boundary (API, queue consumer, engine construction). */

export const CLUSTER_STATUSES = ["PENDING", "OK", "ERROR", "DEREGISTERED"] as const;
export type ClusterStatus = (typeof CLUSTER_STATUSES)[number];

export const COST_CLASSES = ["low_cost", "high_performance"] as const;
export type CostClass = (typeof COST_CLASSES)[number];

const nonNegative = z.number().nonnegative();
const count = z.number().int().nonnegative();

export const resourceAmountsSchema = z.object({
  cpuMillicores: nonNegative,
  memoryBytes: nonNegative,
  gpus: count.optional(),
});
export type ResourceAmounts = z.infer<typeof resourceAmountsSchema>;

export const clusterCandidateSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  status: z.enum(CLUSTER_STATUSES),
  availabilityPct: z.number().min(0).max(100),
  greenEnergyPct: z.number().min(0).max(100),
  cost: z.enum(COST_CLASSES),
  cpuBaseRate: nonNegative,
  memoryBaseRate: nonNegative,
  vramGb: nonNegative,
  capacity: resourceAmountsSchema,
  /** What pods already placed on the cluster request. */
  allocated: resourceAmountsSchema,
  instanceCount: count,
  /** Drained by its provider: takes no new placements (filter Cordoned). Absent means false. */
  cordoned: z.boolean().optional(),
});
export type ClusterCandidate = z.infer<typeof clusterCandidateSchema>;

export const intentTargetSchema = z.object({
  intentType: z.string().min(1),
  targetName: z.string().min(1),
  condition: conditionSchema,
  value: conditionValueSchema,
});
export type IntentTarget = z.infer<typeof intentTargetSchema>;

export const placementRequestSchema = z.object({
  instanceId: z.string().min(1).optional(),
  /** Summed requests of the rendered manifests. */
  requests: z.object({
    cpuMillicores: nonNegative,
    memoryBytes: nonNegative,
    gpus: count.optional(),
    vramGb: nonNegative.optional(),
  }),
  /** A hard requirement: only this cluster may take the instance (filter ProposedCluster; "pin to this cluster"). */
  proposedCluster: z.string().min(1).optional(),
  /**
   * A preference: this cluster gets the PreferredCluster bonus (and every
   * other one its malus) but must pass the filters like any other; when it
   * does not, the instance goes where it fits best.
   */
  preferredCluster: z.string().min(1).optional(),
  /**
   * The cluster the instance runs on now. Its requests are taken as already
   * allocated there, so staying does not count them twice.
   */
  currentCluster: z.string().min(1).optional(),
  excludeClusters: z.array(z.string().min(1)).optional(),
  targets: z.array(intentTargetSchema),
});
export type PlacementRequest = z.infer<typeof placementRequestSchema>;
export type ResourceRequests = PlacementRequest["requests"];

export const PRIORITIZER_NAMES = [
  "LeastAllocatedCpu",
  "LeastAllocatedMemory",
  "GreenEnergy",
  "CostClass",
  "Balance",
  "Steady",
  "PreferredCluster",
] as const;
export type PrioritizerName = (typeof PRIORITIZER_NAMES)[number];
export type PrioritizerWeights = Readonly<Record<PrioritizerName, number>>;

/**
 * Integer weights in −10..10 as in Open Cluster Management. Integers keep every
 * total exact, so any summation order gives the same total and the same winner.
 */
const weightSchema = z.number().int().min(-10).max(10);

export const DEFAULT_WEIGHTS: PrioritizerWeights = {
  LeastAllocatedCpu: 1,
  LeastAllocatedMemory: 1,
  GreenEnergy: 1,
  CostClass: 1,
  Balance: 1,
  // Moving a running instance costs a backup and restore; an equal alternative is not worth it.
  Steady: 2,
  // 10 × (100 − (−100)) = 2,000 outweighs every other prioritizer together (at most 1,200 with these
  // weights): a preferred cluster that passes the filters wins.
  PreferredCluster: 10,
};

export const placementConfigSchema = z.object({
  weights: z
    .object({
      LeastAllocatedCpu: weightSchema.default(DEFAULT_WEIGHTS.LeastAllocatedCpu),
      LeastAllocatedMemory: weightSchema.default(DEFAULT_WEIGHTS.LeastAllocatedMemory),
      GreenEnergy: weightSchema.default(DEFAULT_WEIGHTS.GreenEnergy),
      CostClass: weightSchema.default(DEFAULT_WEIGHTS.CostClass),
      Balance: weightSchema.default(DEFAULT_WEIGHTS.Balance),
      Steady: weightSchema.default(DEFAULT_WEIGHTS.Steady),
      PreferredCluster: weightSchema.default(DEFAULT_WEIGHTS.PreferredCluster),
    })
    .strict()
    .default(DEFAULT_WEIGHTS),
});
export type PlacementConfig = z.infer<typeof placementConfigSchema>;
export type PlacementConfigInput = z.input<typeof placementConfigSchema>;

/** A complete config from a partial one (missing weights take their defaults). */
export function placementConfig(input: PlacementConfigInput = {}): PlacementConfig {
  return placementConfigSchema.parse(input);
}
