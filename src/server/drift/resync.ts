import { DomainError } from "@/server/errors";
import {
  ClusterDriverError,
  driverFor,
  type KubernetesManifest,
  type StoredCluster,
} from "@/server/clusters";
import { assertServiceUser, loadScoped, recordLifecycleEvent, type InstanceDeps } from "@/server/instances";
import { logger } from "@/server/logger";
import { instanceApplySet } from "./apply-set";
import { checkInstanceDrift } from "./check";
import { comparedManifests, computeDrift, replicaDrifts } from "./compare";
import { instanceDrift, type InstanceDrift } from "./queries";

const log = logger.child({ module: "drift" });

async function scaleBack(
  deps: InstanceDeps,
  cluster: StoredCluster,
  instance: { id: string; namespace: string },
  manifests: KubernetesManifest[],
): Promise<number> {
  const driver = driverFor(deps.db, cluster, deps.driverFactory);
  const compared = comparedManifests(manifests);
  const live = await driver.listInstanceObjects(
    instance.namespace,
    instance.id,
    compared.map((m) => ({ apiVersion: m.apiVersion, kind: m.kind })),
  );
  const drifts = replicaDrifts(computeDrift(cluster.name, compared, live.objects).summary, compared);
  for (const { kind, name, replicas } of drifts) await driver.scale(instance.namespace, kind, name, replicas);
  return drifts.length;
}

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
  let rescaled: number;
  try {
    result = await driverFor(db, cluster, deps.driverFactory).apply(
      instance.namespace,
      [...set.manifests, ...set.guardrails],
      set.options,
    );
    // Apply keeps a scaled replica count (as kubectl apply does): scale back what was scaled behind the console's back.
    rescaled = await scaleBack(deps, cluster, instance, set.manifests);
  } catch (error) {
    if (!(error instanceof ClusterDriverError)) throw error;
    log.warn({ instance: id, cluster: cluster.name, err: error }, "re-sync: apply failed");
    // The cluster's answer, already free of URLs and bodies (clusters/errors.ts); the instance is unchanged.
    throw new DomainError(
      "conflict",
      `Re-sync on ${cluster.name} failed (${error.type}): ${error.message}. Nothing was recorded; try again.`,
    );
  }
  const touched = result.resources.filter((r) => r.action !== "unchanged").length + rescaled;
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
