import { Role } from "@/common/roles";
import { workloadRunSchema, type TransactionClient } from "@/server/bus";
import {
  createClusterDriver,
  createManualClock,
  DEMO_CONTINUUM_SPECS,
  PostgresSimulatedContinuum,
  type ClusterDriver,
  type DriverFactory,
  type ManualClock,
} from "@/server/clusters";
import type { Db } from "@/server/db";
import type { SessionUser } from "@/server/auth";
import { createInstance, handleInstanceRun, type OrchestrationDeps } from "@/server/instances";
import type { CreateInstanceInput } from "@/server/instances/schemas";
import { logger } from "@/server/logger";
import { acceptedMychartWorkload } from "./demo-database";
import { makeUser } from "./factories";

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
 * An instance of `workloadId` created by `owner` (a release name, or the
 * create form's other fields too) and taken through the orchestrator's
 * handling of its `run` message (placed and deployed where placement
 * chose); its row with its cluster.
 */
export async function deployedInstance(
  db: Db,
  owner: SessionUser,
  workloadId: number,
  instance: string | Omit<CreateInstanceInput, "workloadId">,
  deps: Partial<OrchestrationDeps> = {},
) {
  const input = typeof instance === "string" ? { releaseName: instance } : instance;
  const created = await createInstance({ db, user: owner }, { workloadId, ...input });
  await orchestrateNewestRun(db, created.id, deps);
  return db.workloadInstance.findUniqueOrThrow({ where: { id: created.id }, include: { cluster: true } });
}

type DeployedInstance = Awaited<ReturnType<typeof deployedInstance>>;

/** Who an instance's inspection is tried against. */
export interface InstanceReaders {
  owner: SessionUser;
  otherTenant: SessionUser;
  admin: SessionUser;
  /** The provider of the instance's cluster. */
  clusterOwner: SessionUser;
  otherInfra: SessionUser;
  noRole: SessionUser;
}

export interface InspectedInstance extends InstanceReaders {
  instance: DeployedInstance & { cluster: NonNullable<DeployedInstance["cluster"]> };
  /** The simulated clusters' clock: pods start and write log lines when the test moves it. */
  clock: ManualClock;
  driverFactory: DriverFactory;
  /** The driver of the instance's cluster. */
  driver: ClusterDriver;
}

/**
 * A DEPLOYED instance of mychart on the demo continuum of `db` (its own
 * database, see demo-database.ts), the clusters on a manual clock, with the
 * people its inspection (logs, events, live objects) is checked against; its
 * cluster is handed to `clusterOwner`.
 */
export async function inspectedInstance(
  db: Db,
  options: { seed: number; workload: string } & Omit<CreateInstanceInput, "workloadId">,
): Promise<InspectedInstance> {
  const { seed, workload, ...instanceInput } = options;
  const clock = createManualClock();
  const continuum = new PostgresSimulatedContinuum({
    db,
    seed,
    clusters: DEMO_CONTINUUM_SPECS,
    clock: clock.now,
    sleep: clock.sleep,
  });
  const driverFactory: DriverFactory = (config) => createClusterDriver(config, { continuum });
  const people = await Promise.all(
    [
      [Role.SERVICE_PROVIDER],
      [Role.SERVICE_PROVIDER],
      [Role.NEMO_ADMIN],
      [Role.INFRASTRUCTURE_PROVIDER],
      [Role.INFRASTRUCTURE_PROVIDER],
      [],
    ].map((roles) => makeUser(db, roles)),
  );
  const [owner, otherTenant, admin, clusterOwner, otherInfra, noRole] = people as [
    SessionUser,
    SessionUser,
    SessionUser,
    SessionUser,
    SessionUser,
    SessionUser,
  ];
  const workloadId = await acceptedMychartWorkload(db, owner, workload);
  const instance = await deployedInstance(db, owner, workloadId, instanceInput, { driverFactory });
  if (instance.status !== "DEPLOYED" || !instance.cluster)
    throw new Error(`instance ${instance.id} is ${instance.status}, not DEPLOYED`);
  const cluster = await db.cluster.update({
    where: { id: instance.cluster.id },
    data: { ownerId: clusterOwner.id },
  });
  return {
    owner,
    otherTenant,
    admin,
    clusterOwner,
    otherInfra,
    noRole,
    instance: { ...instance, cluster },
    clock,
    driverFactory,
    driver: driverFactory({ name: cluster.name, managedApi: cluster.managedApi }),
  };
}
