import { systemClock, type Clock } from "@/common/clock";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { intentDisplayState } from "@/server/intents";
import { getInstance, type RevealOptions } from "./instances";
import { intentTargets } from "./placement-input";

/**
 * The instance page's Overview: the instance (getInstance scopes and checks
 * the caller) and the intents attached to it, each with its targets as the
 * placement engine reads them, so the page shows what placement honoured;
 * and its workload's Supported Intents, the types the intent form offers.
 * Each intent says, like the Intents table, whether it is re-evaluating or
 * scheduled (then its last fulfilment is not the one to show).
 */
export async function instanceOverview(
  deps: { db: Db; user: SessionUser; clock?: Clock },
  id: string,
  options: RevealOptions = {},
) {
  const instance = await getInstance(deps, id, options);
  const intents = await deps.db.intent.findMany({
    where: { instanceId: instance.id, deletedAt: null },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      intentType: true,
      adminState: true,
      validFrom: true,
      validUntil: true,
      targetsChangedAt: true,
      body: true,
      schedule: { select: { lastFulfilment: true, lastEvaluatedAt: true } },
    },
  });
  const workload = await deps.db.workload.findUnique({
    where: { id: instance.workloadId },
    select: { supportedIntents: true },
  });
  const { placement, ...rest } = instance;
  const now = new Date((deps.clock ?? systemClock)());
  return {
    ...rest,
    supportedIntents: workload?.supportedIntents ?? [],
    placed: placement !== null,
    intents: intents.map(({ body, schedule, targetsChangedAt, ...intent }) => ({
      ...intent,
      lastFulfilment: schedule?.lastFulfilment ?? null,
      ...intentDisplayState(
        { ...intent, targetsChangedAt, lastEvaluatedAt: schedule?.lastEvaluatedAt ?? null },
        now,
      ),
      targets: intentTargets([{ intentType: intent.intentType, body }]).map((t) => ({
        targetName: t.targetName,
        targetCondition: t.condition,
        targetValue: t.value,
      })),
    })),
  };
}
export type InstanceOverview = Awaited<ReturnType<typeof instanceOverview>>;
