import { workloadRunSchema, type TransactionClient } from "@/server/bus";
import type { Db } from "@/server/db";
import type { SessionUser } from "@/server/auth";
import { createInstance, handleInstanceRun, type OrchestrationDeps } from "@/server/instances";
import { logger } from "@/server/logger";

/**
 * What the orchestrator does with the newest `run` message the outbox holds
 * for an instance, run in this process (the integration tests' stand-in for
 * the broker and the orchestrator worker).
 */
export async function orchestrateNewestRun(
  db: Db,
  instanceId: string,
  deps: Partial<OrchestrationDeps> = {},
): Promise<void> {
  const rows = await db.outboxMessage.findMany({
    where: { routingKey: "run" },
    orderBy: { createdAt: "asc" },
  });
  const message = rows
    .map((row) => workloadRunSchema.parse(row.payload))
    .filter((m) => m.workload_id === instanceId)
    .at(-1);
  if (!message) throw new Error(`no run message for ${instanceId}`);
  await db.$transaction((tx: TransactionClient) =>
    handleInstanceRun(tx, message, { db, log: logger, attempt: 1, maxAttempts: 5, ...deps }),
  );
}

/**
 * An instance of `workloadId` created by `owner` and taken through the
 * orchestrator's handling of its `run` message (placed and deployed where
 * placement chose); its row with its cluster.
 */
export async function deployedInstance(
  db: Db,
  owner: SessionUser,
  workloadId: number,
  releaseName: string,
  deps: Partial<OrchestrationDeps> = {},
) {
  const created = await createInstance({ db, user: owner }, { workloadId, releaseName });
  await orchestrateNewestRun(db, created.id, deps);
  return db.workloadInstance.findUniqueOrThrow({ where: { id: created.id }, include: { cluster: true } });
}
