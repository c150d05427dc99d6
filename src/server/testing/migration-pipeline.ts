import type { Logger } from "pino";
import { expect } from "vitest";
import { Role } from "@/common/roles";
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
import {
  acceptedMychartWorkload,
  closeDemoDatabase,
  demoInfrastructureProvider,
  openDemoDatabase,
  type DemoDatabase,
} from "./demo-database";
import { makeUser, uniq } from "./factories";

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

/**
 * What the migration and drain tests stand on: a database of the file's own
 * with the demo continuum, nemo-smart-farming out of the running (the
 * reference's "Status: Unknown", so placements choose among the other four),
 * an admin, a service provider with an ACCEPTED mychart workload supporting
 * Availability, the demo infrastructure provider, and the pipeline running.
 */
export interface MigrationTestBed extends DemoDatabase {
  pipeline: MigrationPipeline;
  admin: SessionUser;
  provider: SessionUser;
  /** The seeded owner of the five demo clusters. */
  demoInfra: SessionUser;
  workloadId: number;
  /** An instance of the workload deployed on `cluster` by the orchestrator's own handler (asserted DEPLOYED there). */
  deployedOn(cluster: string, release?: string): ReturnType<typeof deployInstanceOn>;
  /** Stops the pipeline (with the relay the test ended up with) and drops the database. */
  close(relay?: OutboxRelay): Promise<void>;
}

export async function openMigrationTestBed(
  name: string,
  options: { prefix: string; log: Logger },
): Promise<MigrationTestBed> {
  const demo = await openDemoDatabase(name);
  const { db } = demo;
  await db.cluster.update({
    where: { name: "nemo-smart-farming" },
    data: { status: "ERROR", statusReason: "Status: Unknown" },
  });
  const admin = await makeUser(db, [Role.NEMO_ADMIN]);
  const provider = await makeUser(db, [Role.SERVICE_PROVIDER]);
  const demoInfra = await demoInfrastructureProvider(db);
  const workloadId = await acceptedMychartWorkload(db, provider, "shop", ["Availability"]);
  const pipeline = await startMigrationPipeline({ db, databaseUrl: demo.url, ...options });
  return {
    ...demo,
    pipeline,
    admin,
    provider,
    demoInfra,
    workloadId,
    async deployedOn(cluster, release = uniq("web")) {
      const row = await deployInstanceOn(db, provider, workloadId, cluster, release);
      expect(row.status).toBe("DEPLOYED");
      expect(row.cluster?.name).toBe(cluster);
      return row;
    },
    async close(relay) {
      await pipeline.stop(relay);
      await closeDemoDatabase(demo);
    },
  };
}
