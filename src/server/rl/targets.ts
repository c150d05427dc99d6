import type { TransactionClient } from "@/server/bus";
import type { Db } from "@/server/db";
import { intentTargets } from "@/server/instances";
import { DEFAULT_TARGETS } from "./model";

/**
 * The scaling agent's CPU and RAM targets for one instance: the
 * `cpuUsage` / `ramUsage` targets of its DeliverComputingWorkload intents in
 * force (activated, not deleted, inside their validity window), in the
 * catalogue's units (millicores, MiB); DEFAULT_TARGETS where none says.
 * A range's upper end is the target (the usage the owner allows per pod).
 */

export interface ScalingTargets {
  cpuTargetMillicores: number;
  memoryTargetMiB: number;
  latencySloMs: number;
  /** Which came from an intent (the others are defaults). */
  fromIntent: Array<"cpuUsage" | "ramUsage">;
}

function targetNumber(value: unknown): number | null {
  const v: unknown = Array.isArray(value) ? (value as unknown[]).at(-1) : value;
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null;
}

/** Pure: the targets from the instance's intent targets. */
export function scalingTargetsFrom(
  targets: ReadonlyArray<{ intentType: string; targetName: string; value: unknown }>,
): ScalingTargets {
  const pick = (name: "cpuUsage" | "ramUsage"): number | null => {
    const values = targets
      .filter((t) => t.intentType === "DeliverComputingWorkload" && t.targetName === name)
      .map((t) => targetNumber(t.value))
      .filter((v): v is number => v !== null);
    // Several intents: the strictest (smallest) per-pod target.
    return values.length > 0 ? Math.min(...values) : null;
  };
  const cpu = pick("cpuUsage");
  const ram = pick("ramUsage");
  return {
    cpuTargetMillicores: cpu ?? DEFAULT_TARGETS.cpuTargetMillicores,
    memoryTargetMiB: ram ?? DEFAULT_TARGETS.memoryTargetMiB,
    latencySloMs: DEFAULT_TARGETS.latencySloMs,
    fromIntent: [
      ...(cpu !== null ? (["cpuUsage"] as const) : []),
      ...(ram !== null ? (["ramUsage"] as const) : []),
    ],
  };
}

/** The targets of `instanceId` from its intents in force at `now`. */
export async function scalingTargetsOf(
  client: Db | TransactionClient,
  instanceId: string,
  now: Date,
): Promise<ScalingTargets> {
  const intents = await client.intent.findMany({
    where: {
      instanceId,
      intentType: "DeliverComputingWorkload",
      adminState: "ACTIVATED",
      deletedAt: null,
      AND: [
        { OR: [{ validFrom: null }, { validFrom: { lte: now } }] },
        { OR: [{ validUntil: null }, { validUntil: { gt: now } }] },
      ],
    },
    select: { intentType: true, body: true },
  });
  return scalingTargetsFrom(intentTargets(intents));
}
