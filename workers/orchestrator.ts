/**
 * Meta-Orchestrator (MO) worker: publishes the transactional outbox, answers
 * cluster joins (validate the kubeconfig, connect through the driver), and
 * records the cluster metrics the collector publishes, places, deploys and
 * removes workload instances (`nemo.api.workload` / `run`), and applies
 * finished migrations (`nemo.api.workload` / `update`: the instance moves to
 * its target cluster, the source copy is removed), and applies CFDRL scaling
 * decisions (`cfdrl_mo_hs`: the release scaled through the driver, a reply on
 * `cfdrl_mo_hs.reply`). Its leader prunes the
 * bus's bookkeeping (processed-message marks, finished outbox rows, old dead
 * letters) and old in-app notifications every BUS_PRUNE_PERIOD_MS, by the
 * *_RETENTION_DAYS settings.
 */
import { pruneBusBookkeeping, queues } from "@/server/bus";
import { handleClusterJoin } from "@/server/clusters";
import { pruneClusterMetrics, recordClusterMetrics } from "@/server/clusters";
import { handleInstanceRun, redriveStuckInstances, sealLegacyInstanceSecrets } from "@/server/instances";
import { consumeMigrationCompletions } from "@/server/cluster-migration";
import { pruneNotifications } from "@/server/notifications";
import { consumeScalingDecisions } from "@/server/rl";
import { runWorker } from "@/server/workers";

await runWorker("orchestrator", async (worker) => {
  const bus = await worker.bus();
  await worker.startOutboxRelay();
  await bus.consume({
    queue: queues.clusterJoin,
    consumerName: "orchestrator.cluster-join",
    handler: async ({ tx, payload, log }) => {
      await handleClusterJoin(tx, payload, { db: worker.db, log });
    },
  });
  await bus.consume({
    queue: queues.clusterMetrics,
    consumerName: "orchestrator.cluster-metrics",
    handler: async ({ tx, payload }) => {
      await recordClusterMetrics(tx, payload);
    },
  });
  await bus.consume({
    queue: queues.workloadRun,
    consumerName: "orchestrator.instance-run",
    handler: async ({ tx, payload, log, attempt, maxAttempts }) => {
      await handleInstanceRun(tx, payload, { db: worker.db, log, attempt, maxAttempts });
    },
  });
  await consumeMigrationCompletions({
    db: worker.db,
    bus,
    log: worker.logger,
    stepTimeoutMs: worker.env.MIGRATION_STEP_TIMEOUT_MS,
  });
  await consumeScalingDecisions({ db: worker.db, bus, log: worker.logger });
  // A worker that died between recording a step and finishing it left the instance DEPLOYING or DELETING.
  worker.every("redrive-stuck-instances", worker.env.INSTANCE_REDRIVE_PERIOD_MS, async (_signal, fence) => {
    const redriven = await redriveStuckInstances(worker.db, {
      stuckAfterMs: worker.env.INSTANCE_STUCK_AFTER_MS,
      fence,
    });
    if (redriven > 0) worker.logger.warn({ redriven }, "re-drove instances stuck mid-step");
  });
  // Instances an older console stored with the values override and Secrets in clear (SQL cannot seal: no key).
  worker.every("seal-legacy-instance-secrets", 600_000, async (signal) => {
    let sealed = 0;
    while (!signal.aborted) {
      const batch = await sealLegacyInstanceSecrets(worker.db);
      sealed += batch;
      if (batch === 0) break;
    }
    if (sealed > 0) worker.logger.info({ sealed }, "sealed the secrets of instances stored in clear");
  });
  worker.every("prune-cluster-metrics", 3_600_000, async () => {
    const removed = await pruneClusterMetrics(worker.db);
    if (removed > 0) worker.logger.info({ removed }, "pruned old cluster metrics");
  });
  // Processed-message marks, finished outbox rows and old dead letters, in short batches.
  worker.every("prune-bus-bookkeeping", worker.env.BUS_PRUNE_PERIOD_MS, async (signal) => {
    await pruneBusBookkeeping({
      db: worker.db,
      log: worker.logger,
      signal,
      retention: {
        processedMessageDays: worker.env.PROCESSED_MESSAGE_RETENTION_DAYS,
        outboxDays: worker.env.OUTBOX_RETENTION_DAYS,
        resolvedDeadLetterDays: worker.env.DEAD_LETTER_RESOLVED_RETENTION_DAYS,
        deadLetterDays: worker.env.DEAD_LETTER_RETENTION_DAYS,
      },
    });
  });
  // In-app notifications past their retention (read ones sooner), in the same period.
  worker.every("prune-notifications", worker.env.BUS_PRUNE_PERIOD_MS, async (signal) => {
    await pruneNotifications({
      db: worker.db,
      log: worker.logger,
      signal,
      retention: {
        days: worker.env.NOTIFICATION_RETENTION_DAYS,
        readDays: worker.env.NOTIFICATION_READ_RETENTION_DAYS,
      },
    });
  });
});
