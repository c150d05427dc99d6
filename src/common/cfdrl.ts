/**
 * CFDRL instance settings as the browser and the server both check them
 * (no zod here: the instance page's bundle stays without it; the server's
 * schema in src/server/rl/settings.ts applies the same rule).
 */

/** Replica bounds a CFDRL agent may scale an instance within: 0 ≤ min ≤ max ≤ this. */
export const CFDRL_MAX_REPLICAS = 50;

/** An instance without a settings row: both agents off, 1..10 replicas. */
export const CFDRL_DEFAULT_SETTINGS = {
  scalingEnabled: false,
  migrationEnabled: false,
  minReplicas: 1,
  maxReplicas: 10,
} as const;

export const CFDRL_AGENTS = ["scaling", "migration"] as const;
export type CfdrlAgent = (typeof CFDRL_AGENTS)[number];

export const CFDRL_OUTCOMES = ["pending", "applied", "dropped", "failed"] as const;
export type CfdrlOutcome = (typeof CFDRL_OUTCOMES)[number];

/**
 * What is wrong with a pair of replica bounds, naming the field, or null when
 * they are fine. `minReplicas` is checked first, then `maxReplicas` (which
 * also carries "min above max").
 */
export function cfdrlBoundsProblem(
  minReplicas: number,
  maxReplicas: number,
): { field: "minReplicas" | "maxReplicas"; message: string } | null {
  const whole = (n: number) => Number.isInteger(n);
  if (!whole(minReplicas) || minReplicas < 0 || minReplicas > CFDRL_MAX_REPLICAS)
    return {
      field: "minReplicas",
      message: `Minimum replicas must be a whole number from 0 to ${CFDRL_MAX_REPLICAS}.`,
    };
  if (!whole(maxReplicas) || maxReplicas < 0 || maxReplicas > CFDRL_MAX_REPLICAS)
    return {
      field: "maxReplicas",
      message: `Maximum replicas must be a whole number from 0 to ${CFDRL_MAX_REPLICAS}.`,
    };
  if (minReplicas > maxReplicas)
    return {
      field: "maxReplicas",
      message: `Maximum replicas (${maxReplicas}) must be at least the minimum (${minReplicas}).`,
    };
  return null;
}
