/**
 * The lab's baselines. `randomPolicy`: a seeded uniform pick among the allowed scaling actions,
 * once a minute. `HpaController`: Kubernetes' Horizontal Pod Autoscaler on CPU utilisation with its
 * real defaults, run every 15 s sync period:
 *
 *   desired = ceil(ready · utilisation / target)      (no change within ±10 % of the target)
 *
 * with pods that are not ready yet counted at 0 % when scaling up (the controller's caution
 * for starting pods), scale-up limited to max(+4 pods, ×2) per sync (the default scale-up
 * policies), and scale-down stabilised: the highest recommendation of the last 300 s wins.
 */
import { allowedScalingActions, SCALING_ACTIONS, type ScalingAction, type ScalingObservation } from "./model";
import { createRng } from "./rng";
import { type SubStepSample } from "./environment";

export type ScalingPolicy = (observation: ScalingObservation) => ScalingAction;

/** Uniform among the actions that change something or keep; deterministic for a seed. */
export function randomPolicy(seed: number): ScalingPolicy {
  const rng = createRng(seed, 7);
  return (observation) => {
    const allowed = allowedScalingActions(observation);
    const choices = SCALING_ACTIONS.filter((_, i) => allowed[i]);
    return choices[rng.int(choices.length)]!;
  };
}

/** Kubernetes' defaults (kube-controller-manager flags and the autoscaling/v2 default behaviour). */
export const HPA_DEFAULTS = {
  syncPeriodMs: 15_000,
  tolerance: 0.1,
  scaleDownStabilizationMs: 300_000,
  scaleUpPods: 4,
  scaleUpPercent: 100,
} as const;

export interface HpaConfig {
  /** Target CPU utilisation, a fraction of the pods' CPU request (0.5 = 50 %). */
  targetUtilization: number;
  cpuRequestMillicores: number;
  minReplicas: number;
  maxReplicas: number;
  tolerance?: number;
  scaleDownStabilizationMs?: number;
}

/**
 * The replica calculator's formula for one metric: `ceil(ready · utilisation / target)`, keeping
 * `current` within the tolerance. `notReady` pods (scheduled, not serving) count as 0 % on a
 * scale-up; if that brings the ratio back within the tolerance or reverses it, nothing changes.
 */
export function hpaDesiredReplicas(input: {
  current: number;
  ready: number;
  utilization: number;
  target: number;
  tolerance?: number;
}): number {
  const tolerance = input.tolerance ?? HPA_DEFAULTS.tolerance;
  const { current, ready, utilization, target } = input;
  if (ready <= 0 || target <= 0) return current;
  const ratio = utilization / target;
  const notReady = Math.max(0, current - ready);
  if (notReady > 0 && ratio > 1) {
    const adjusted = (utilization * ready) / (target * (ready + notReady));
    if (Math.abs(adjusted - 1) <= tolerance || adjusted < 1) return current;
    return Math.ceil(adjusted * (ready + notReady));
  }
  if (Math.abs(ratio - 1) <= tolerance) return current;
  return Math.ceil(ratio * ready);
}

export class HpaController {
  readonly config: Required<HpaConfig>;
  private recommendations: Array<{ atMs: number; replicas: number }> = [];

  constructor(config: HpaConfig) {
    if (!(config.targetUtilization > 0)) throw new Error("targetUtilization must be > 0");
    this.config = {
      tolerance: HPA_DEFAULTS.tolerance,
      scaleDownStabilizationMs: HPA_DEFAULTS.scaleDownStabilizationMs,
      ...config,
    };
  }

  /** Replicas the HPA sets at `sample.timeMs` (one sync). */
  sync(sample: SubStepSample): number {
    const { observation, readyReplicas, timeMs } = sample;
    const c = this.config;
    const current = observation.replicas;
    const raw = hpaDesiredReplicas({
      current,
      ready: readyReplicas,
      utilization: observation.cpuMillicoresPerPod / c.cpuRequestMillicores,
      target: c.targetUtilization,
      tolerance: c.tolerance,
    });
    const recommendation = Math.min(c.maxReplicas, Math.max(c.minReplicas, raw));
    this.recommendations.push({ atMs: timeMs, replicas: recommendation });
    this.recommendations = this.recommendations.filter((r) => r.atMs > timeMs - c.scaleDownStabilizationMs);
    if (recommendation > current) {
      const limit = Math.max(
        current + HPA_DEFAULTS.scaleUpPods,
        Math.ceil(current * (1 + HPA_DEFAULTS.scaleUpPercent / 100)),
      );
      return Math.min(recommendation, limit, c.maxReplicas);
    }
    // Scale-down stabilisation: never below the highest recommendation of the window.
    const stabilized = Math.max(...this.recommendations.map((r) => r.replicas));
    return Math.min(current, stabilized);
  }

  /** As a controller for `ScalingEnvironment.stepWith`. */
  controller(): (sample: SubStepSample) => number {
    return (sample) => this.sync(sample);
  }
}
