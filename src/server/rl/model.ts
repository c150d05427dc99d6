/**
 * The scaling agent's world: what it observes, what it may do, what it is rewarded for, and the
 * normalised network input. Pure (no I/O); the same functions serve training, evaluation and the UI.
 */
import { z } from "zod";

/** One instance as the scaling agent sees it (targets from its DeliverComputingWorkload intent). */
export interface ScalingObservation {
  replicas: number;
  minReplicas: number;
  maxReplicas: number;
  /** Usage per pod vs the intent's `cpuUsage` target. */
  cpuMillicoresPerPod: number;
  cpuTargetMillicores: number;
  /** Usage per pod vs the intent's `ramUsage` target. */
  memoryMiBPerPod: number;
  memoryTargetMiB: number;
  latencyP95Ms: number;
  latencySloMs: number;
  /** Requests per second to the instance (all pods). */
  requestRate: number;
}

const finite = (field: string) =>
  z.number({ error: `${field} must be a number` }).refine(Number.isFinite, `${field} must be finite`);
const nonNegative = (field: string) => finite(field).refine((v) => v >= 0, `${field} must be ≥ 0`);
const positive = (field: string) => finite(field).refine((v) => v > 0, `${field} must be > 0`);

/** For observations read back from JSON (decision rows, CSV traces, REST). */
export const scalingObservationSchema = z
  .object({
    replicas: z.number().int("replicas must be an integer").min(0, "replicas must be ≥ 0"),
    minReplicas: z.number().int("minReplicas must be an integer").min(0, "minReplicas must be ≥ 0"),
    maxReplicas: z.number().int("maxReplicas must be an integer").min(1, "maxReplicas must be ≥ 1"),
    cpuMillicoresPerPod: nonNegative("cpuMillicoresPerPod"),
    cpuTargetMillicores: positive("cpuTargetMillicores"),
    memoryMiBPerPod: nonNegative("memoryMiBPerPod"),
    memoryTargetMiB: positive("memoryTargetMiB"),
    latencyP95Ms: nonNegative("latencyP95Ms"),
    latencySloMs: positive("latencySloMs"),
    requestRate: nonNegative("requestRate"),
  })
  .refine((o) => o.minReplicas <= o.maxReplicas, {
    message: "minReplicas must be ≤ maxReplicas",
    path: ["minReplicas"],
  });

export const SCALING_ACTIONS = ["scale_down", "keep", "scale_up"] as const;
export type ScalingAction = (typeof SCALING_ACTIONS)[number];

const ACTION_DELTA: Record<ScalingAction, number> = { scale_down: -1, keep: 0, scale_up: 1 };

/** Targets used when an instance has no intent (cpuUsage / ramUsage) and for the latency SLO. */
export const DEFAULT_TARGETS = {
  cpuTargetMillicores: 500,
  memoryTargetMiB: 100,
  latencySloMs: 200,
} as const;

/**
 * Weights of the reward's terms (all ≥ 0; each term is a penalty, so the reward is ≤ 0 and 0 is
 * the ideal: fewest replicas, no latency, CPU exactly at target, RAM within target, SLO met).
 */
export interface RewardWeights {
  replicas: number;
  latency: number;
  cpu: number;
  memory: number;
  sloViolation: number;
}

export const DEFAULT_REWARD_WEIGHTS: RewardWeights = {
  replicas: 0.2,
  latency: 1,
  cpu: 1,
  memory: 0.5,
  sloViolation: 2,
};

export const rewardWeightsSchema = z.object({
  replicas: nonNegative("replicas"),
  latency: nonNegative("latency"),
  cpu: nonNegative("cpu"),
  memory: nonNegative("memory"),
  sloViolation: nonNegative("sloViolation"),
});

/** Caps on the ratio terms, so one pathological sample (a 30 s latency) cannot dominate training. */
export const REWARD_CAPS = { latencyRatio: 5, cpuDeviation: 4, memoryExcess: 4 } as const;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
/** A ratio, 0 when it cannot be measured (NaN, a zero target): an unmeasured term neither rewards nor penalises. */
const ratio = (value: number, target: number) =>
  Number.isFinite(value) && Number.isFinite(target) && target > 0 ? value / target : Number.NaN;

/** Each penalty of the reward, weighted (the UI shows them; their negated sum is the reward). */
export interface RewardTerms {
  replicas: number;
  latency: number;
  cpu: number;
  memory: number;
  sloViolation: number;
}

export function scalingRewardTerms(
  o: ScalingObservation,
  w: RewardWeights = DEFAULT_REWARD_WEIGHTS,
): RewardTerms {
  const latencyRatio = ratio(o.latencyP95Ms, o.latencySloMs);
  const cpuRatio = ratio(o.cpuMillicoresPerPod, o.cpuTargetMillicores);
  const memoryRatio = ratio(o.memoryMiBPerPod, o.memoryTargetMiB);
  return {
    replicas: w.replicas * Math.max(0, o.replicas),
    latency: Number.isNaN(latencyRatio) ? 0 : w.latency * clamp(latencyRatio, 0, REWARD_CAPS.latencyRatio),
    cpu: Number.isNaN(cpuRatio) ? 0 : w.cpu * clamp(Math.abs(cpuRatio - 1), 0, REWARD_CAPS.cpuDeviation),
    memory: Number.isNaN(memoryRatio) ? 0 : w.memory * clamp(memoryRatio - 1, 0, REWARD_CAPS.memoryExcess),
    sloViolation: !Number.isNaN(latencyRatio) && latencyRatio > 1 ? w.sloViolation : 0,
  };
}

/**
 * The reward (README "Reward"):
 *
 *   r = −( w.replicas · replicas
 *        + w.latency  · min(latency / SLO, 5)
 *        + w.cpu      · min(|cpu / cpuTarget − 1|, 4)
 *        + w.memory   · min(max(ram / ramTarget − 1, 0), 4)
 *        + w.sloViolation · [latency > SLO] )
 *
 * Replicas and latency are penalised, meeting the CPU target exactly and staying within the RAM
 * target cost nothing — the signs of the reference's description (it penalised replicas and
 * latency and rewarded the CPU/RAM targets).
 */
export function scalingReward(o: ScalingObservation, w: RewardWeights = DEFAULT_REWARD_WEIGHTS): number {
  const t = scalingRewardTerms(o, w);
  return -(t.replicas + t.latency + t.cpu + t.memory + t.sloViolation);
}

/** Network input size of `scalingFeatures`. */
export const SCALING_FEATURE_SIZE = 9;
/** Names of `scalingFeatures`' entries, in order (README, debugging). */
export const SCALING_FEATURE_NAMES = [
  "replicas / max",
  "can scale down",
  "can scale up",
  "cpu / target",
  "memory / target",
  "latency / SLO",
  "latency over SLO",
  "needed replicas / max",
  "log request rate",
] as const;

/**
 * Normalised network input: ratios to the targets (clipped to 0..4, halved so 1 = at target maps
 * to 0.5), replicas relative to the bounds, and the replicas the CPU demand needs at target.
 * Unmeasured values (NaN) become 0.
 */
export function scalingFeatures(o: ScalingObservation): Float32Array {
  const f = new Float32Array(SCALING_FEATURE_SIZE);
  const max = Math.max(1, o.maxReplicas);
  const safe = (v: number) => (Number.isFinite(v) ? v : 0);
  const cpuRatio = safe(ratio(o.cpuMillicoresPerPod, o.cpuTargetMillicores));
  const memoryRatio = safe(ratio(o.memoryMiBPerPod, o.memoryTargetMiB));
  const latencyRatio = safe(ratio(o.latencyP95Ms, o.latencySloMs));
  f[0] = clamp(safe(o.replicas) / max, 0, 2);
  f[1] = o.replicas > o.minReplicas ? 1 : 0;
  f[2] = o.replicas < o.maxReplicas ? 1 : 0;
  f[3] = clamp(cpuRatio, 0, 4) / 2;
  f[4] = clamp(memoryRatio, 0, 4) / 2;
  f[5] = clamp(latencyRatio, 0, 4) / 2;
  f[6] = latencyRatio > 1 ? 1 : 0;
  f[7] = clamp((cpuRatio * safe(o.replicas)) / max, 0, 2);
  f[8] = clamp(Math.log1p(Math.max(0, safe(o.requestRate))) / Math.log1p(10_000), 0, 2);
  return f;
}

/** The replica count an action leads to, within [minReplicas, maxReplicas]. */
export function applyScalingAction(o: ScalingObservation, a: ScalingAction): number {
  const lo = Math.max(0, Math.min(o.minReplicas, o.maxReplicas));
  return clamp(Math.round(o.replicas) + ACTION_DELTA[a], lo, Math.max(lo, o.maxReplicas));
}

/** Which scaling actions change anything (a mask for `DqnAgent.act`: down at min / up at max are not offered). */
export function allowedScalingActions(o: ScalingObservation): boolean[] {
  return SCALING_ACTIONS.map((a) => a === "keep" || applyScalingAction(o, a) !== o.replicas);
}

export function scalingActionIndex(a: ScalingAction): number {
  return SCALING_ACTIONS.indexOf(a);
}

export function isScalingAction(a: string): a is ScalingAction {
  return (SCALING_ACTIONS as readonly string[]).includes(a);
}
