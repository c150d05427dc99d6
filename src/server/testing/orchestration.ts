import { workloadRunSchema, type TransactionClient } from "@/server/bus";
import type { Db } from "@/server/db";
import { handleInstanceRun, type OrchestrationDeps } from "@/server/instances";
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
