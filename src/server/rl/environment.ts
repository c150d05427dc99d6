/**
 * The scaling environment of the evaluation lab: one instance of the simulated continuum served by
 * `replicas` pods, driven by a load trace instead of the continuum's diurnal demand. Traffic →
 * per-pod CPU/RAM → p95 latency go through the continuum's own load-model functions
 * (`servingPodLoad`, `summarizeServingLoads`), so what the agent learns here is what it meets on a
 * simulated cluster.
 *
 * Time: one decision per minute (`step`); inside the minute the environment advances in 15 s
 * sub-steps (Kubernetes' HPA sync period), interpolating the trace, so a controller that acts every
 * sync period (`stepWith`, the HPA) is simulated at its own rate. A new pod serves after
 * `startupMs`; a removed pod stops at once (pending pods are removed first).
 */
import {
  type LoadProfile,
  type PodLoad,
  type PodResources,
  servingPodLoad,
  summarizeServingLoads,
} from "@/server/clusters";
import {
  applyScalingAction,
  DEFAULT_REWARD_WEIGHTS,
  DEFAULT_TARGETS,
  type RewardWeights,
  type ScalingAction,
  type ScalingObservation,
  scalingReward,
} from "./model";
import { type LoadTrace, TRACE_STEP_MS } from "./traces";

const MIB = 1024 * 1024;

/** The lab's workload: a web service with a 500 m CPU request (1 core limit), 20 ms per request on an idle pod. */
export interface EnvironmentWorkload {
  profile: LoadProfile;
  resources: PodResources;
  /** Time from scheduling a pod to it serving. */
  startupMs: number;
}

export const LAB_WORKLOAD: EnvironmentWorkload = {
  profile: {
    baseRps: 0, // the trace sets the demand
    amplitude: 0,
    peakHourUtc: 0,
    idleCpuMillicores: 20,
    cpuMillicoresPerRequest: 4,
    baseMemoryBytes: 50 * MIB,
    memoryBytesPerRequest: 0.3 * MIB,
    serviceTimeMs: 20,
    requestBytes: 800,
    responseBytes: 12_000,
    noiseKey: "lab",
  },
  resources: {
    requests: { cpuMillicores: 500, memoryBytes: 256 * MIB, gpus: 0, ephemeralStorageBytes: 0 },
    limits: { cpuMillicores: 1_000, memoryBytes: 512 * MIB },
  },
  startupMs: 30_000,
};

/** Node the lab's pods run on (no limit is ever reached: 16 cores). */
const NODE = { cpuMillicores: 16_000, memoryBytes: 64 * 1024 * MIB };

export const SUB_STEP_MS = 15_000;
export const SUB_STEPS_PER_STEP = TRACE_STEP_MS / SUB_STEP_MS;

export interface ScalingEnvironmentOptions {
  minReplicas?: number;
  maxReplicas?: number;
  /** Replicas at reset (default: min). */
  initialReplicas?: number;
  targets?: { cpuTargetMillicores: number; memoryTargetMiB: number; latencySloMs: number };
  weights?: RewardWeights;
  workload?: EnvironmentWorkload;
}

/** One 15 s sample: what a controller acting every sync period sees. */
export interface SubStepSample {
  timeMs: number;
  observation: ScalingObservation;
  readyReplicas: number;
}

export interface StepResult {
  /** At the end of the minute: the agent's next state. */
  observation: ScalingObservation;
  /** Mean reward of the minute's sub-steps. */
  reward: number;
  /** Fraction of the minute's sub-steps with p95 latency over the SLO. */
  sloViolation: number;
  /** Mean replicas (desired, what is paid for) over the minute. */
  replicas: number;
  /** Replica changes made during the minute. */
  actions: number;
  done: boolean;
}

interface Pod {
  id: number;
  readyAtMs: number;
}

export class ScalingEnvironment {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targets: { cpuTargetMillicores: number; memoryTargetMiB: number; latencySloMs: number };
  readonly weights: RewardWeights;
  readonly workload: EnvironmentWorkload;
  private readonly initialReplicas: number;
  private trace: LoadTrace | null = null;
  private seed = 0;
  private startMinute = 0;
  private endMinute = 0;
  private minute = 0;
  private pods: Pod[] = [];
  private nextPodId = 0;
  private last: SubStepSample | null = null;
  /**
   * Share of a pod's CPU limit it actually gets at a time (1 = all of it): the cluster's other
   * tenants' contention, set by the migration comparison when the instance runs on a busy cluster.
   */
  cpuShareAt: (timeMs: number) => number = () => 1;

  constructor(options: ScalingEnvironmentOptions = {}) {
    this.minReplicas = options.minReplicas ?? 1;
    this.maxReplicas = options.maxReplicas ?? 10;
    if (!Number.isInteger(this.minReplicas) || this.minReplicas < 1)
      throw new Error("minReplicas must be an integer ≥ 1");
    if (!Number.isInteger(this.maxReplicas) || this.maxReplicas < this.minReplicas)
      throw new Error("maxReplicas must be an integer ≥ minReplicas");
    this.initialReplicas = Math.min(
      this.maxReplicas,
      Math.max(this.minReplicas, options.initialReplicas ?? this.minReplicas),
    );
    this.targets = options.targets ?? { ...DEFAULT_TARGETS };
    this.weights = options.weights ?? DEFAULT_REWARD_WEIGHTS;
    this.workload = options.workload ?? LAB_WORKLOAD;
  }

  /**
   * Starts an episode over `trace` (minutes [startMinute, startMinute + minutes)); `seed` draws the
   * pods' jitter. Returns the first observation.
   */
  reset(
    seed: number,
    trace: LoadTrace,
    window: { startMinute?: number; minutes?: number } = {},
  ): ScalingObservation {
    if (trace.rates.length < 1) throw new Error("the trace is empty");
    this.trace = trace;
    this.seed = seed;
    this.startMinute = Math.max(0, Math.min(trace.rates.length - 1, window.startMinute ?? 0));
    this.endMinute = Math.min(trace.rates.length, this.startMinute + (window.minutes ?? trace.rates.length));
    this.minute = this.startMinute;
    this.pods = [];
    this.nextPodId = 0;
    const t0 = this.timeAt(0);
    for (let i = 0; i < this.initialReplicas; i++) this.pods.push({ id: this.nextPodId++, readyAtMs: t0 });
    this.last = this.sample(t0);
    return this.last.observation;
  }

  get observation(): ScalingObservation {
    return this.current().observation;
  }

  /** The latest 15 s sample (for controllers that read ready replicas too). */
  get lastSample(): SubStepSample {
    return this.current();
  }

  /** Minutes left in the episode. */
  get remaining(): number {
    return this.endMinute - this.minute;
  }

  /** One decision: scale by the action at the start of the minute, then run the minute. */
  step(action: ScalingAction): StepResult {
    const desired = applyScalingAction(this.current().observation, action);
    return this.stepWith((sample, subStep) => (subStep === 0 ? desired : sample.observation.replicas));
  }

  /**
   * Runs the minute with a controller consulted at every 15 s sync: it gets the latest sample and
   * returns the replicas it wants (clamped to the bounds).
   */
  stepWith(controller: (sample: SubStepSample, subStep: number) => number): StepResult {
    if (this.trace === null) throw new Error("reset the environment first");
    if (this.minute >= this.endMinute) throw new Error("the episode is over: reset it");
    let reward = 0;
    let violations = 0;
    let replicas = 0;
    let actions = 0;
    for (let k = 0; k < SUB_STEPS_PER_STEP; k++) {
      const at = this.timeAt(k * SUB_STEP_MS);
      const wanted = Math.round(controller(this.current(), k));
      if (this.scaleTo(wanted, at)) actions += 1;
      replicas += this.pods.length;
      this.last = this.sample(at + SUB_STEP_MS);
      reward += scalingReward(this.last.observation, this.weights);
      if (this.last.observation.latencyP95Ms > this.targets.latencySloMs) violations += 1;
    }
    this.minute += 1;
    return {
      observation: this.current().observation,
      reward: reward / SUB_STEPS_PER_STEP,
      sloViolation: violations / SUB_STEPS_PER_STEP,
      replicas: replicas / SUB_STEPS_PER_STEP,
      actions,
      done: this.minute >= this.endMinute,
    };
  }

  private current(): SubStepSample {
    if (this.last === null) throw new Error("reset the environment first");
    return this.last;
  }

  /** Epoch ms `offsetMs` into the current minute. */
  private timeAt(offsetMs: number): number {
    return (this.trace?.startMs ?? 0) + this.minute * TRACE_STEP_MS + offsetMs;
  }

  /** Requests per second at `timeMs`, linear between the trace's minutes. */
  requestRateAt(timeMs: number): number {
    const trace = this.trace;
    if (trace === null) return 0;
    const position = (timeMs - trace.startMs) / TRACE_STEP_MS;
    const i = Math.max(0, Math.min(trace.rates.length - 1, Math.floor(position)));
    const j = Math.min(trace.rates.length - 1, i + 1);
    const f = Math.max(0, Math.min(1, position - i));
    return trace.rates[i]! + (trace.rates[j]! - trace.rates[i]!) * f;
  }

  private scaleTo(wanted: number, atMs: number): boolean {
    const target = Math.min(this.maxReplicas, Math.max(this.minReplicas, wanted));
    if (target === this.pods.length) return false;
    if (target > this.pods.length)
      while (this.pods.length < target)
        this.pods.push({ id: this.nextPodId++, readyAtMs: atMs + this.workload.startupMs });
    else {
      // Like a ReplicaSet scaling down: pods that are not ready yet go first, then the newest.
      this.pods.sort((a, b) => a.readyAtMs - b.readyAtMs || a.id - b.id);
      this.pods = this.pods.slice(0, target);
    }
    return true;
  }

  private sample(timeMs: number): SubStepSample {
    const rps = this.requestRateAt(timeMs);
    const ready = this.pods.filter((pod) => pod.readyAtMs <= timeMs);
    const share = ready.length > 0 ? rps / ready.length : 0;
    const cpuShare = Math.max(0.05, Math.min(1, this.cpuShareAt(timeMs)));
    const limits = this.workload.resources.limits;
    const resources =
      cpuShare === 1
        ? this.workload.resources
        : {
            ...this.workload.resources,
            limits: { ...limits, cpuMillicores: (limits.cpuMillicores ?? NODE.cpuMillicores) * cpuShare },
          };
    const loads: PodLoad[] = ready.map((pod) =>
      servingPodLoad({
        seed: this.seed,
        profile: this.workload.profile,
        podKey: `lab/${pod.id}`,
        requestsPerSecond: share,
        timeMs,
        resources,
        nodeAllocatableCpuMillicores: NODE.cpuMillicores,
        nodeAllocatableMemoryBytes: NODE.memoryBytes,
      }),
    );
    const summary = summarizeServingLoads(loads);
    // Nothing serves (cannot happen with min ≥ 1 and ready pods kept on scale-down, but a custom
    // start-up could): every request times out, so latency reads as the reward's cap.
    const unserved = this.targets.latencySloMs * 5;
    return {
      timeMs,
      readyReplicas: ready.length,
      observation: {
        replicas: this.pods.length,
        minReplicas: this.minReplicas,
        maxReplicas: this.maxReplicas,
        cpuMillicoresPerPod: summary.cpuMillicoresPerPod ?? 0,
        cpuTargetMillicores: this.targets.cpuTargetMillicores,
        memoryMiBPerPod: (summary.memoryBytesPerPod ?? 0) / MIB,
        memoryTargetMiB: this.targets.memoryTargetMiB,
        latencyP95Ms: summary.latencyP95Ms ?? (rps > 0 ? unserved : 0),
        latencySloMs: this.targets.latencySloMs,
        requestRate: rps,
      },
    };
  }
}
