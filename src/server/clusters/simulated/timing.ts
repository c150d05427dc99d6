import { type Clock } from "./clock";

export interface SimulationTiming {
  /** Time a backup takes before it completes (Velero took ≈ 20 s on the test-bed). */
  backupMs: number;
  /** Time a restore takes (≈ 80 s on the test-bed). */
  restoreMs: number;
  /** Bounds of the seeded time from binding a pod to Running. */
  podStartupMinMs: number;
  podStartupMaxMs: number;
}

/** Instant backups and a few seconds of pod start-up: quick tests, still visible "ContainerCreating". */
export const DEFAULT_SIMULATION_TIMING: SimulationTiming = {
  backupMs: 0,
  restoreMs: 0,
  podStartupMinMs: 1_000,
  podStartupMaxMs: 4_000,
};

/** Durations observed with Velero on the reference test-bed, for demos that should feel real. */
export const VELERO_OBSERVED_TIMING: Pick<SimulationTiming, "backupMs" | "restoreMs"> = {
  backupMs: 20_000,
  restoreMs: 80_000,
};

export interface SimulationContext {
  seed: number;
  clock: Clock;
  timing: SimulationTiming;
}
