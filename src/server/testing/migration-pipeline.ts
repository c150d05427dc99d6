import type { Logger } from "pino";
import { OutboxRelay, productTopology, type Bus, type TransactionClient } from "@/server/bus";
import {
  consumeIntentNotifications,
  consumeMigrationCompletions,
  IbmcAgents,
  runMigrationWatchdog,
  type MigrationRuntimeDeps,
} from "@/server/cluster-migration";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { createInstance, handleInstanceRun } from "@/server/instances";
import { logger } from "@/server/logger";
import { createTestBus } from "./bus";
import { uniq } from "./factories";

/**
 * The whole migration pipeline in the test's process against the real broker
 * and a database of the file's own: the controller's intent-notification
 * consumer, the orchestrator's completion consumer, an IBMC agent per
 * cluster, an outbox relay woken by NOTIFY and the watchdog every 200 ms.
 */
export interface MigrationPipeline {
  bus: Bus;
  /** A test may stop it and start another (a relay crash); `stop` ends whichever it is handed. */
  relay: OutboxRelay;
  agents: IbmcAgents;
  deps: MigrationRuntimeDeps;
  stop(relay?: OutboxRelay): Promise<void>;
}

export async function startMigrationPipeline(options: {
  db: Db;
  databaseUrl: string;
  /** The file's own AMQP prefix, so other files' `notify` traffic stays away. */
  prefix: string;
  log: Logger;
}): Promise<MigrationPipeline> {
  const { db, databaseUrl, prefix, log } = options;
  const bus = await createTestBus(db, { prefix, topology: productTopology });
  const relay = new OutboxRelay({ db, bus, pollMs: 200, listen: { databaseUrl } });
  relay.start();
  const deps: MigrationRuntimeDeps = { db, bus, log, stepTimeoutMs: 30_000, pollMs: 100 };
  await consumeIntentNotifications(deps);
  await consumeMigrationCompletions(deps);
  const agents = new IbmcAgents(deps);
  await agents.rescan();
  let running = true;
  const watchdog = (async () => {
    while (running) {
      await runMigrationWatchdog(deps).catch((error: unknown) => logger.error({ err: error }, "watchdog"));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    bus,
    relay,
    agents,
    deps,
    async stop(current = relay) {
      running = false;
      await watchdog;
      await current.stop();
      await bus.close({ graceMs: 2_000 });
    },
  };
}

/** An instance of `workloadId` created for `cluster` and deployed by the orchestrator's own `run` handler; its row and cluster. */
export async function deployInstanceOn(
  db: Db,
  owner: SessionUser,
  workloadId: number,
  cluster: string,
  release = uniq("web"),
) {
  const created = await createInstance(
    { db, user: owner },
    { workloadId, releaseName: release, clusterName: cluster },
  );
  await db.$transaction((tx: TransactionClient) =>
    handleInstanceRun(
      tx,
      { workload_id: created.id, status: "deploy" },
      { db, log: logger, attempt: 1, maxAttempts: 5 },
    ),
  );
  return db.workloadInstance.findUniqueOrThrow({ where: { id: created.id }, include: { cluster: true } });
}
