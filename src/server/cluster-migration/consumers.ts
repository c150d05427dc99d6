import { ibmcAgentQueue, queues, type Bus, type Consumer } from "@/server/bus";
import { handleAgentMessage } from "./agent";
import { handleMigrationCompletion } from "./completion";
import { handleIntentNotify } from "./controller";
import type { MigrationDeps } from "./store";

/**
 * The migration pipeline's consumers, wired the same way by the worker
 * processes (workers/ibmc-controller.ts, ibmc-agent.ts, orchestrator.ts), the
 * integration tests and the benchmark (in one process).
 */

export interface MigrationRuntimeDeps extends MigrationDeps {
  bus: Bus;
}

const declared = new WeakMap<Bus, Map<string, Promise<void>>>();

/**
 * Declares a cluster's agent queue once per bus (the bus re-declares it after
 * every reconnect), so a command to an agent that is not running yet waits in
 * its durable queue instead of being unroutable.
 */
export function ensureAgentQueue(bus: Bus, cluster: string): Promise<void> {
  let byName = declared.get(bus);
  if (!byName) declared.set(bus, (byName = new Map<string, Promise<void>>()));
  let done = byName.get(cluster);
  if (!done) {
    done = bus.assertQueue(ibmcAgentQueue(cluster));
    byName.set(cluster, done);
    // A failed declaration is tried again next time.
    done.catch(() => byName.delete(cluster));
  }
  return done;
}

/** Declares the agent queue of every OK cluster (the controller, at start and on each rescan). */
export async function declareAgentQueues(deps: Pick<MigrationRuntimeDeps, "db" | "bus">): Promise<string[]> {
  const clusters = await deps.db.cluster.findMany({ where: { status: "OK" }, select: { name: true } });
  for (const cluster of clusters) await ensureAgentQueue(deps.bus, cluster.name);
  return clusters.map((c) => c.name);
}

/** The IBMC controller: new, changed and violated intents (and completions) from `notify`, idempotently. */
export function consumeIntentNotifications(deps: MigrationRuntimeDeps): Promise<Consumer> {
  return deps.bus.consume({
    queue: queues.notify,
    consumerName: "ibmc-controller.notify",
    handler: async ({ tx, payload, messageId }) => {
      await handleIntentNotify(tx, payload, { ...deps, log: deps.log.child({ messageId }) });
    },
  });
}

/**
 * The MO's `update` queue: migration completions (COMPLETED, instance moved,
 * source removed). At least once: the state change is conditional and the
 * source removal happens after its commit, which an idempotent consumer's
 * single transaction could not give.
 */
export function consumeMigrationCompletions(deps: MigrationRuntimeDeps): Promise<Consumer> {
  return deps.bus.consumeAtLeastOnce({
    queue: queues.workloadUpdate,
    consumerName: "orchestrator.workload-update",
    handler: async ({ payload, messageId }) => {
      const log = deps.log.child({ messageId, instance: payload.WorkloadID });
      if (payload.Type === "migration") {
        await handleMigrationCompletion({ ...deps, log }, payload);
        return;
      }
      // Status reports of reference components: the console's own history already has them.
      log.debug({ status: payload.Status, cluster: payload.Cluster }, "instance status update");
    },
  });
}

/**
 * The IBMC agents one process runs: one consumer per served cluster's queue
 * (`mo.agent.<cluster>`). Serves one named cluster, or every OK cluster,
 * picking up newly joined ones on `rescan`.
 */
export class IbmcAgents {
  private readonly consumers = new Map<string, Consumer>();

  constructor(
    private readonly deps: MigrationRuntimeDeps,
    /** Serve only this cluster (`tsx workers/ibmc-agent.ts <cluster>`), whatever its status. */
    private readonly only?: string,
  ) {}

  get served(): string[] {
    return [...this.consumers.keys()].sort();
  }

  /** Starts serving clusters not served yet; returns the ones added. */
  async rescan(): Promise<string[]> {
    const rows = await this.deps.db.cluster.findMany({
      where: this.only ? { name: this.only, status: { not: "DEREGISTERED" } } : { status: "OK" },
      select: { name: true },
      orderBy: { name: "asc" },
    });
    const added: string[] = [];
    for (const { name } of rows) {
      if (this.consumers.has(name)) continue;
      await this.serve(name);
      added.push(name);
    }
    if (added.length > 0)
      this.deps.log.info({ clusters: added, serving: this.served }, "IBMC agent serving clusters");
    return added;
  }

  async serve(cluster: string): Promise<void> {
    if (this.consumers.has(cluster)) return;
    const { bus } = this.deps;
    await ensureAgentQueue(bus, cluster);
    const agent = {
      ...this.deps,
      cluster,
      ensureQueue: (name: string) => ensureAgentQueue(bus, name),
    };
    const consumer = await bus.consumeAtLeastOnce({
      queue: ibmcAgentQueue(cluster),
      consumerName: `ibmc-agent.${cluster}`,
      handler: async ({ payload, signal, messageId }) => {
        await handleAgentMessage({ ...agent, log: agent.log.child({ messageId }) }, payload, signal);
      },
    });
    this.consumers.set(cluster, consumer);
  }

  /** Stops serving one cluster (or all); its queue keeps its messages for the next agent. */
  async stop(cluster?: string, graceMs?: number): Promise<void> {
    const names = cluster === undefined ? [...this.consumers.keys()] : [cluster];
    await Promise.all(
      names.map(async (name) => {
        const consumer = this.consumers.get(name);
        this.consumers.delete(name);
        await consumer?.stop(graceMs);
      }),
    );
  }
}
