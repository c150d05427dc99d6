import { type BackupInfo, objectNameSchema, type OperationOptions, type RestoreInfo } from "../driver";
import { ClusterDriverError } from "../errors";
import { type BackupRecord } from "./backup-store";
import { type SimulatedBackupEnvironment, type SimulatedClusterAccess } from "./host";

/**
 * Velero-like backup and restore through a shared store. The waiting happens
 * between cluster accesses, never inside one, so a shared (PostgreSQL) cluster
 * is not locked for the length of a backup and other processes can change it
 * meanwhile (e.g. take it down), as they could a real cluster.
 */

export function backupInfo(record: BackupRecord): BackupInfo {
  return {
    name: record.name,
    sourceCluster: record.sourceCluster,
    namespace: record.namespace,
    phase: "Completed",
    startedAt: new Date(record.startedAt).toISOString(),
    completedAt: new Date(record.completedAt).toISOString(),
    resourceCount: record.manifests.length,
    volumeBytes: record.volumes.reduce((sum, volume) => sum + volume.bytes, 0),
  };
}

function assertBackupName(name: string): void {
  if (!objectNameSchema.safeParse(name).success)
    throw new ClusterDriverError("INVALID_ARGUMENT", `invalid backup name ${JSON.stringify(name)}`);
}

export async function backupNamespace(
  env: SimulatedBackupEnvironment,
  access: SimulatedClusterAccess,
  namespace: string,
  backupName: string,
  options: OperationOptions = {},
): Promise<BackupInfo> {
  const clusterName = access.cluster;
  await access.read((cluster) => {
    assertBackupName(backupName);
    cluster.assertReachable();
  });
  const existing = await env.backupStore.get(backupName);
  if (existing) {
    // A redelivered "backup" message must not fail: the same backup again is the same result.
    if (existing.sourceCluster === clusterName && existing.namespace === namespace)
      return backupInfo(existing);
    throw new ClusterDriverError(
      "ALREADY_EXISTS",
      `backup ${backupName} already exists for another namespace`,
      {
        cluster: clusterName,
      },
    );
  }
  if (env.backupsInProgress.has(backupName))
    throw new ClusterDriverError("ALREADY_EXISTS", `backup ${backupName} is already in progress`, {
      cluster: clusterName,
    });
  env.backupsInProgress.add(backupName);
  try {
    const startedAt = env.now();
    // Velero snapshots the objects when the backup starts; the upload is what takes time.
    const { snapshot, extraDelayMs } = await access.read((cluster) => ({
      snapshot: cluster.exportNamespace(namespace),
      extraDelayMs: cluster.slowBackupDelayMs(),
    }));
    await env.sleep(env.timing.backupMs + extraDelayMs, options.signal);
    // Returned rather than thrown, so that a shared store keeps the consumed failure count.
    const failure = await access.update((cluster) => {
      const consumed = cluster.consumeFailure("backup-fails");
      if (!consumed) cluster.assertReachable();
      return consumed;
    });
    if (failure?.failure.type === "backup-fails")
      throw new ClusterDriverError(
        "BACKUP_FAILED",
        failure.failure.message ?? `backup ${backupName} of ${clusterName}/${namespace} failed (simulated)`,
        { cluster: clusterName },
      );
    const record: BackupRecord = {
      name: backupName,
      sourceCluster: clusterName,
      namespace,
      labels: snapshot.labels,
      manifests: snapshot.manifests,
      volumes: snapshot.volumes,
      startedAt,
      completedAt: env.now(),
    };
    await env.backupStore.put(record);
    return backupInfo(record);
  } finally {
    env.backupsInProgress.delete(backupName);
  }
}

export async function restoreNamespace(
  env: SimulatedBackupEnvironment,
  access: SimulatedClusterAccess,
  backupName: string,
  targetNamespace: string,
  options: OperationOptions = {},
): Promise<RestoreInfo> {
  const clusterName = access.cluster;
  await access.read((cluster) => cluster.assertReachable());
  const record = await env.backupStore.get(backupName);
  if (!record)
    throw new ClusterDriverError("NOT_FOUND", `backup ${backupName} not found in the backup store`, {
      cluster: clusterName,
    });
  const startedAt = env.now();
  await env.sleep(env.timing.restoreMs, options.signal);
  const outcome = await access.update((cluster) => {
    const failure = cluster.consumeFailure("restore-fails");
    if (failure) return { failure, result: null };
    return {
      failure: null,
      result: cluster.apply(targetNamespace, record.manifests, { labels: record.labels }),
    };
  });
  if (outcome.failure?.failure.type === "restore-fails")
    throw new ClusterDriverError(
      "RESTORE_FAILED",
      outcome.failure.failure.message ??
        `restore of ${backupName} into ${clusterName}/${targetNamespace} failed (simulated)`,
      { cluster: clusterName },
    );
  const resources = outcome.result?.resources ?? [];
  return {
    backupName,
    sourceCluster: record.sourceCluster,
    sourceNamespace: record.namespace,
    targetCluster: clusterName,
    targetNamespace,
    startedAt: new Date(startedAt).toISOString(),
    completedAt: new Date(env.now()).toISOString(),
    resourceCount: resources.filter((resource) => resource.action !== "pruned").length,
  };
}

export async function backupExists(
  env: SimulatedBackupEnvironment,
  access: SimulatedClusterAccess,
  backupName: string,
): Promise<boolean> {
  await access.read((cluster) => cluster.assertReachable());
  return env.backupStore.has(backupName);
}
