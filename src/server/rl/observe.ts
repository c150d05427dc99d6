import {
  driverFor,
  type DriverFactory,
  type InstanceLoadSample,
  type StoredCluster,
} from "@/server/clusters";
import type { Db } from "@/server/db";
import type { Logger } from "@/server/logger";
import type { ScalingObservation } from "./model";
import { scalingTargetsOf } from "./targets";

/** What the loop observes an instance through: its namespace on its cluster, its bounds and its intents. */
export interface ObservedInstance {
  id: string;
  namespace: string;
  cluster: StoredCluster;
  settings: { minReplicas: number; maxReplicas: number };
}

/** The observation from a driver sample, bounds and targets; unmeasured values are NaN (no reward term). */
export function observationFrom(
  sample: InstanceLoadSample,
  settings: { minReplicas: number; maxReplicas: number },
  targets: { cpuTargetMillicores: number; memoryTargetMiB: number; latencySloMs: number },
): ScalingObservation {
  return {
    replicas: sample.replicas,
    minReplicas: settings.minReplicas,
    maxReplicas: settings.maxReplicas,
    cpuMillicoresPerPod: sample.cpuMillicoresPerPod ?? Number.NaN,
    cpuTargetMillicores: targets.cpuTargetMillicores,
    memoryMiBPerPod: sample.memoryMiBPerPod ?? Number.NaN,
    memoryTargetMiB: targets.memoryTargetMiB,
    latencyP95Ms: sample.latencyP95Ms ?? Number.NaN,
    latencySloMs: targets.latencySloMs,
    requestRate: sample.requestRate ?? Number.NaN,
  };
}

/**
 * The instance's load through its cluster's driver, as the scaling
 * observation (bounds from its settings, targets from its intents); null
 * (logged) when the cluster cannot be read this period.
 */
export async function observeInstance(
  db: Db,
  instance: ObservedInstance,
  now: Date,
  log: Logger,
  driverFactory?: DriverFactory,
): Promise<{ sample: InstanceLoadSample; observation: ScalingObservation } | null> {
  let sample: InstanceLoadSample;
  try {
    sample = await driverFor(db, instance.cluster, driverFactory).instanceLoad(instance.namespace);
  } catch (error) {
    log.warn({ err: error }, "CFDRL: the instance's load could not be read; no decision this period");
    return null;
  }
  const targets = await scalingTargetsOf(db, instance.id, now);
  return { sample, observation: observationFrom(sample, instance.settings, targets) };
}
