import { z } from "zod";
import { namespaceNameSchema } from "../driver";

/**
 * Failures a simulated cluster can be told to have. Each is injected on one
 * cluster, gets an id, and lasts until cleared (`backup-fails` and
 * `restore-fails` can instead clear themselves after `times` failures, to
 * exercise retries).
 *
 * - cluster-down: connect / apply / scale / delete / metrics / backups fail
 *   with UNREACHABLE; the deployment tree reports every pod as Unknown.
 * - slow-backup: backups on this cluster take `delayMs` longer.
 * - backup-fails: backups on this cluster end in BACKUP_FAILED.
 * - restore-fails: restores onto this cluster end in RESTORE_FAILED.
 * - crash-loop: pods of a namespace (optionally one workload) crash and
 *   restart with kubelet's back-off; their restart count keeps rising.
 * - load-spike: multiplies the demand of a namespace's (or every) workload.
 */
export const simulatedFailureSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("cluster-down") }),
  z.object({ type: z.literal("slow-backup"), delayMs: z.number().int().nonnegative() }),
  z.object({
    type: z.literal("backup-fails"),
    message: z.string().optional(),
    times: z.number().int().positive().optional(),
  }),
  z.object({
    type: z.literal("restore-fails"),
    message: z.string().optional(),
    times: z.number().int().positive().optional(),
  }),
  z.object({
    type: z.literal("crash-loop"),
    namespace: namespaceNameSchema,
    workload: z.string().optional(),
  }),
  z.object({
    type: z.literal("load-spike"),
    factor: z.number().nonnegative(),
    namespace: namespaceNameSchema.optional(),
  }),
]);
export type SimulatedFailure = z.infer<typeof simulatedFailureSchema>;
export type SimulatedFailureType = SimulatedFailure["type"];

export interface ActiveFailure {
  id: string;
  cluster: string;
  failure: SimulatedFailure;
  /** Simulated time of injection. */
  since: number;
  /** Failures left before a counted failure clears itself. */
  remaining: number | null;
}

const BACKOFF_INITIAL_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;

/**
 * Restarts after a container has been crashing for `elapsedMs`: kubelet
 * restarts it after 10 s, then waits twice as long each time up to 5 min, so
 * restart k happens at 10 s · (2^k − 1) until the cap.
 */
export function crashLoopRestarts(elapsedMs: number): number {
  let restarts = 0;
  let at = 0;
  let backoff = BACKOFF_INITIAL_MS;
  for (;;) {
    at += backoff;
    if (at > elapsedMs) return restarts;
    restarts += 1;
    if (backoff >= BACKOFF_MAX_MS) return restarts + Math.floor((elapsedMs - at) / BACKOFF_MAX_MS);
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
  }
}
