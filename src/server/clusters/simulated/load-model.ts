import { z } from "zod";
import { type PodResources } from "../manifests";
import { MIB } from "../quantity";
import { randomFor, valueNoise } from "./prng";

/**
 * The load model. Each workload (Deployment, StatefulSet, bare Pod) receives
 * a demand in requests per second that follows a diurnal curve (a cosine
 * peaking at a seeded hour) times smooth seeded noise. The demand is shared
 * by the workload's serving pods, and a pod's CPU and memory grow with the
 * requests it serves: scaling out lowers per-pod usage and latency, which is
 * what the RL scaler has to learn.
 *
 * A workload's profile is drawn once, when it is first applied, and written
 * into its live object as an annotation, so a backup carries it and a
 * restored workload on another cluster behaves the same.
 */

export const LOAD_PROFILE_ANNOTATION = "sim.nemo.eu/load-profile";
/** Chart authors (and tests) can pin the mean demand of a workload. */
export const REQUESTS_PER_SECOND_ANNOTATION = "sim.nemo.eu/requests-per-second";
/** …and the CPU cost of one request per second, in millicores. */
export const CPU_PER_REQUEST_ANNOTATION = "sim.nemo.eu/cpu-millicores-per-request";

export const DAY_MS = 86_400_000;
const DEMAND_NOISE_PERIOD_MS = 5 * 60_000;
const POD_JITTER_PERIOD_MS = 60_000;
/** Container image layers and logs on a node's disk, per pod. */
export const POD_EPHEMERAL_BYTES = 64 * MIB;

export const loadProfileSchema = z.object({
  /** Mean demand over a day. */
  baseRps: z.number().nonnegative(),
  /** Relative swing of the diurnal curve (0.3 = ±30 %). */
  amplitude: z.number().min(0).max(1),
  /** UTC hour at which demand peaks. */
  peakHourUtc: z.number().min(0).max(24),
  idleCpuMillicores: z.number().nonnegative(),
  cpuMillicoresPerRequest: z.number().nonnegative(),
  baseMemoryBytes: z.number().nonnegative(),
  memoryBytesPerRequest: z.number().nonnegative(),
  /** Time one request takes on an idle pod. */
  serviceTimeMs: z.number().positive(),
  requestBytes: z.number().nonnegative(),
  responseBytes: z.number().nonnegative(),
  /** Names the noise stream; stays the same across clusters so a migrated workload keeps its curve. */
  noiseKey: z.string(),
});
export type LoadProfile = z.infer<typeof loadProfileSchema>;

/** Requests assumed for containers that declare none, so they still cost something. */
const DEFAULT_CPU_REQUEST_MILLICORES = 100;
const DEFAULT_MEMORY_REQUEST_BYTES = 128 * MIB;

function annotationNumber(annotations: Readonly<Record<string, string>>, key: string): number | undefined {
  const raw = annotations[key];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

export function readLoadProfile(
  annotations: Readonly<Record<string, string>> | undefined,
): LoadProfile | null {
  const raw = annotations?.[LOAD_PROFILE_ANNOTATION];
  if (raw === undefined) return null;
  try {
    const parsed = loadProfileSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Draws a profile calibrated so that, at mean demand and the declared replica
 * count, a pod uses 55–75 % of its CPU request and about 65 % of its memory
 * request: a sensibly sized workload that scaling can push either way.
 */
export function deriveLoadProfile(input: {
  seed: number;
  /** Stable identity of the workload: instance id (or namespace) + kind/name. */
  identity: string;
  resources: PodResources;
  replicas: number;
  annotations: Readonly<Record<string, string>>;
}): LoadProfile {
  const random = randomFor(input.seed, "profile", input.identity);
  const replicas = Math.max(1, input.replicas);
  const cpuRequest = input.resources.requests.cpuMillicores || DEFAULT_CPU_REQUEST_MILLICORES;
  const memoryRequest = input.resources.requests.memoryBytes || DEFAULT_MEMORY_REQUEST_BYTES;

  const baseRps =
    annotationNumber(input.annotations, REQUESTS_PER_SECOND_ANNOTATION) ??
    Math.round((10 + random() * 90) * 10) / 10;
  const idleCpuMillicores = Math.max(1, cpuRequest * 0.05);
  const targetCpu = (0.55 + random() * 0.2) * cpuRequest;
  const cpuMillicoresPerRequest =
    annotationNumber(input.annotations, CPU_PER_REQUEST_ANNOTATION) ??
    (baseRps > 0 ? Math.max(0.1, ((targetCpu - idleCpuMillicores) * replicas) / baseRps) : 0);
  const baseMemoryBytes = 0.45 * memoryRequest;
  const memoryBytesPerRequest = baseRps > 0 ? (0.2 * memoryRequest * replicas) / baseRps : 0;

  return {
    baseRps,
    amplitude: 0.25 + random() * 0.35,
    peakHourUtc: 11 + random() * 6,
    idleCpuMillicores,
    cpuMillicoresPerRequest,
    baseMemoryBytes,
    memoryBytesPerRequest,
    serviceTimeMs: 5 + random() * 45,
    requestBytes: 200 + random() * 1800,
    responseBytes: 1_000 + random() * 49_000,
    noiseKey: input.identity,
  };
}

/** Offered requests per second at `timeMs`, before it is split between pods. */
export function demandRps(seed: number, profile: LoadProfile, timeMs: number, factor = 1): number {
  const hourOfDay = (((timeMs % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000;
  const diurnal = 1 + profile.amplitude * Math.cos((2 * Math.PI * (hourOfDay - profile.peakHourUtc)) / 24);
  const noise = 1 + 0.15 * valueNoise(seed, `demand:${profile.noiseKey}`, timeMs, DEMAND_NOISE_PERIOD_MS);
  return Math.max(0, profile.baseRps * diurnal * noise * factor);
}

export interface PodLoad {
  cpuMillicores: number;
  memoryBytes: number;
  requestsPerSecond: number;
  bytesIn: number;
  bytesOut: number;
  /** Null when the pod serves nothing. */
  latencyMs: number | null;
  /** 95th percentile of the response time; null when the pod serves nothing. */
  latencyP95Ms: number | null;
}

/**
 * Response time of an M/M/1 queue, S / (1 − ρ), with ρ the CPU the pod would
 * need over the CPU it may use; past 95 % it keeps growing linearly instead of
 * diverging, standing in for timeouts and shed load.
 */
export function latencyMs(serviceTimeMs: number, utilization: number): number {
  if (utilization < 0.95) return serviceTimeMs / (1 - Math.max(0, utilization));
  return serviceTimeMs * 20 * (utilization / 0.95);
}

/**
 * The M/M/1 response time is exponentially distributed around its mean, so
 * its 95th percentile is ln(20) ≈ 3.0 times the mean. It rises as steeply as
 * the mean when utilisation nears 1: what an SLO on p95 latency reacts to.
 */
export const P95_OVER_MEAN = Math.log(20);

export function latencyP95Ms(serviceTimeMs: number, utilization: number): number {
  return P95_OVER_MEAN * latencyMs(serviceTimeMs, utilization);
}

/** A running, ready pod serving `requestsPerSecond`, bounded by its limits or else by its node. */
export function servingPodLoad(input: {
  seed: number;
  profile: LoadProfile;
  podKey: string;
  requestsPerSecond: number;
  timeMs: number;
  resources: PodResources;
  nodeAllocatableCpuMillicores: number;
  nodeAllocatableMemoryBytes: number;
}): PodLoad {
  const { profile, requestsPerSecond: rps } = input;
  const jitter = 1 + 0.05 * valueNoise(input.seed, `pod:${input.podKey}`, input.timeMs, POD_JITTER_PERIOD_MS);
  const cpuCap = input.resources.limits.cpuMillicores ?? input.nodeAllocatableCpuMillicores;
  const memoryCap = input.resources.limits.memoryBytes ?? input.nodeAllocatableMemoryBytes;
  const cpuDemand = (profile.idleCpuMillicores + rps * profile.cpuMillicoresPerRequest) * jitter;
  const memoryDemand = (profile.baseMemoryBytes + rps * profile.memoryBytesPerRequest) * jitter;
  const utilization = cpuCap > 0 ? cpuDemand / cpuCap : 1;
  return {
    cpuMillicores: Math.min(cpuDemand, cpuCap),
    memoryBytes: Math.min(memoryDemand, memoryCap),
    requestsPerSecond: rps,
    bytesIn: rps * profile.requestBytes,
    bytesOut: rps * profile.responseBytes,
    latencyMs: rps > 0 ? latencyMs(profile.serviceTimeMs, utilization) : null,
    latencyP95Ms: rps > 0 ? latencyP95Ms(profile.serviceTimeMs, utilization) : null,
  };
}

/** What an instance's ready pods add up to: the CFDRL scaling agent's view of them. */
export interface ServingLoadSummary {
  /** Means over the serving pods; null when no pod serves. */
  cpuMillicoresPerPod: number | null;
  memoryBytesPerPod: number | null;
  /** Requests per second the pods served together. */
  requestsPerSecond: number;
  /** Request-weighted mean of the pods' p95 response times; null when no request was served. */
  latencyP95Ms: number | null;
}

/**
 * Sums the loads of serving pods. The p95 of the mixture of the pods' response
 * times is approximated by the request-weighted mean of their p95s: exact when
 * the pods are equally loaded, which is how the demand is split between them.
 */
export function summarizeServingLoads(loads: readonly PodLoad[]): ServingLoadSummary {
  if (loads.length === 0)
    return { cpuMillicoresPerPod: null, memoryBytesPerPod: null, requestsPerSecond: 0, latencyP95Ms: null };
  let cpu = 0;
  let memory = 0;
  let rps = 0;
  let weighted = 0;
  for (const load of loads) {
    cpu += load.cpuMillicores;
    memory += load.memoryBytes;
    rps += load.requestsPerSecond;
    if (load.latencyP95Ms !== null) weighted += load.requestsPerSecond * load.latencyP95Ms;
  }
  return {
    cpuMillicoresPerPod: cpu / loads.length,
    memoryBytesPerPod: memory / loads.length,
    requestsPerSecond: rps,
    latencyP95Ms: rps > 0 ? weighted / rps : null,
  };
}

/** A pod that is bound to a node but not serving (starting, crash-looping): a little CPU, some memory. */
export function nonServingPodLoad(profile: LoadProfile): PodLoad {
  return {
    cpuMillicores: profile.idleCpuMillicores * 0.5,
    memoryBytes: profile.baseMemoryBytes * 0.3,
    requestsPerSecond: 0,
    bytesIn: 0,
    bytesOut: 0,
    latencyMs: null,
    latencyP95Ms: null,
  };
}

/** Cluster background (system pods, other tenants), drawn once per cluster. */
export interface BackgroundProfile {
  cpuFraction: number;
  memoryFraction: number;
  diskFraction: number;
  peakHourUtc: number;
}

export function deriveBackgroundProfile(seed: number, cluster: string): BackgroundProfile {
  const random = randomFor(seed, "background", cluster);
  return {
    cpuFraction: 0.04 + random() * 0.06,
    memoryFraction: 0.2 + random() * 0.25,
    diskFraction: 0.005 + random() * 0.015,
    peakHourUtc: 11 + random() * 6,
  };
}

/** Background CPU (millicores) and memory (bytes) in use at `timeMs`. */
export function backgroundUsage(
  seed: number,
  cluster: string,
  profile: BackgroundProfile,
  capacity: { cpuMillicores: number; memoryBytes: number },
  timeMs: number,
): { cpuMillicores: number; memoryBytes: number } {
  const hourOfDay = (((timeMs % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000;
  const diurnal = Math.cos((2 * Math.PI * (hourOfDay - profile.peakHourUtc)) / 24);
  const noise = valueNoise(seed, `background:${cluster}`, timeMs, DEMAND_NOISE_PERIOD_MS);
  return {
    cpuMillicores: capacity.cpuMillicores * profile.cpuFraction * (1 + 0.3 * diurnal + 0.1 * noise),
    memoryBytes: capacity.memoryBytes * profile.memoryFraction * (1 + 0.03 * diurnal + 0.02 * noise),
  };
}
