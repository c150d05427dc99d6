import { DomainError } from "@/server/errors";
import { ClusterDriverError, driverFor } from "@/server/clusters";
import { assertServiceUser, loadScoped, recordLifecycleEvent, type InstanceDeps } from "@/server/instances";
import { logger } from "@/server/logger";
import { instanceApplySet } from "./apply-set";
import { checkInstanceDrift } from "./check";
import { instanceDrift, type InstanceDrift } from "./queries";

const log = logger.child({ module: "drift" });

/**
 * Re-sync: re-applies the instance's stored manifests (and guardrails) to its
 * cluster, exactly as the deployment did, so every field the console applied
 * is back and every object deleted by hand is recreated; then checks drift
 * at once, so the answer (and the timeline's `In sync`) reflect it without
 * waiting for the next period. Only the owner or an admin, only while the
 * instance is DEPLOYED. Applying is idempotent: a repeated or interrupted
 * re-sync is safe to run again.
 */
export async function resyncInstance(
  deps: InstanceDeps,
  id: string,
): Promise<InstanceDrift & { applied: number }> {
  const { db, user } = deps;
  assertServiceUser(user);
  const scoped = await loadScoped(db, user, id);
  if (scoped.status !== "DEPLOYED" || !scoped.cluster)
    throw new DomainError(
      "conflict",
      `Instance ${scoped.releaseName} is ${scoped.status}; only a deployed instance can be re-synced.`,
    );
  const instance = await db.workloadInstance.findUniqueOrThrow({
    where: { id },
    select: {
      id: true,
      releaseName: true,
      workloadId: true,
      namespace: true,
      manifests: true,
      manifestSecretsCipher: true,
      cluster: true,
    },
  });
  const cluster = instance.cluster!;
  const set = await instanceApplySet(db, instance);
  let result;
  try {
    result = await driverFor(db, cluster, deps.driverFactory).apply(
      instance.namespace,
      [...set.manifests, ...set.guardrails],
      set.options,
    );
  } catch (error) {
    if (!(error instanceof ClusterDriverError)) throw error;
    log.warn({ instance: id, cluster: cluster.name, err: error }, "re-sync: apply failed");
    // The cluster's answer, already free of URLs and bodies (clusters/errors.ts); the instance is unchanged.
    throw new DomainError(
      "conflict",
      `Re-sync on ${cluster.name} failed (${error.type}): ${error.message}. Nothing was recorded; try again.`,
    );
  }
  const touched = result.resources.filter((r) => r.action !== "unchanged").length;
  await db.$transaction((tx) =>
    recordLifecycleEvent(
      tx,
      id,
      "Re-sync",
      `Re-synced by ${user.username}: manifests re-applied to ${cluster.name} (${touched} of ${result.resources.length} objects changed)`,
      { by: user.username, cluster: cluster.name, resources: result.resources.length, changed: touched },
    ),
  );
  log.info(
    { instance: id, cluster: cluster.name, by: user.username, changed: touched },
    "instance re-synced: manifests re-applied",
  );
  await checkInstanceDrift(
    {
      db,
      log,
      ...(deps.driverFactory && { driverFactory: deps.driverFactory }),
      ...(deps.clock && { now: deps.clock }),
    },
    id,
  );
  return { ...(await instanceDrift(deps, id)), applied: result.resources.length };
}
