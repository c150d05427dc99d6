import { createHash } from "node:crypto";
import { z } from "zod";
import { type BackupInfo, objectNameSchema, type RestoreInfo } from "../driver";
import { ClusterDriverError } from "../errors";
import { call, isApiError, toDriverError } from "./api-errors";
import { type KubernetesApis } from "./client";
import { pollUntil } from "./poll";

/**
 * Backup and restore through Velero: a `velero.io/v1` Backup or Restore
 * object in Velero's namespace, then its `status.phase` polled until Velero
 * reports the outcome. Clusters that share a backup storage location see each
 * other's backups (Velero syncs them in), which is what migration relies on.
 */

const GROUP = "velero.io";
const VERSION = "v1";

/** Which cluster a backup came from; Velero keeps annotations when it syncs backups to other clusters. */
export const SOURCE_CLUSTER_ANNOTATION = "nemo.eu/source-cluster";

const veleroStatusSchema = z.looseObject({
  phase: z.string().optional(),
  startTimestamp: z.string().optional(),
  completionTimestamp: z.string().optional(),
  failureReason: z.string().optional(),
  validationErrors: z.array(z.string()).nullable().optional(),
  errors: z.number().optional(),
  warnings: z.number().optional(),
});
type VeleroStatus = z.infer<typeof veleroStatusSchema>;

const backupSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.looseObject({ includedNamespaces: z.array(z.string()).optional() }).optional(),
  status: veleroStatusSchema
    .extend({
      progress: z
        .looseObject({ totalItems: z.number().optional(), itemsBackedUp: z.number().optional() })
        .optional(),
    })
    .optional(),
});
type Backup = z.infer<typeof backupSchema>;

const restoreSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string() }),
  spec: z
    .looseObject({
      backupName: z.string().optional(),
      namespaceMapping: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  status: veleroStatusSchema
    .extend({
      progress: z
        .looseObject({ totalItems: z.number().optional(), itemsRestored: z.number().optional() })
        .optional(),
    })
    .optional(),
});

const podVolumeBackupListSchema = z.looseObject({
  items: z.array(
    z.looseObject({
      status: z
        .looseObject({
          progress: z
            .looseObject({ bytesDone: z.number().optional(), totalBytes: z.number().optional() })
            .optional(),
        })
        .optional(),
    }),
  ),
});

/** Phases after which Velero does no more work on the object. */
const FAILED_PHASES = new Set(["Failed", "PartiallyFailed", "FailedValidation"]);

const KINDS = {
  Backup: { plural: "backups", failed: "BACKUP_FAILED" },
  Restore: { plural: "restores", failed: "RESTORE_FAILED" },
} as const;
type VeleroKind = keyof typeof KINDS;

export interface VeleroContext {
  apis: KubernetesApis;
  cluster: string;
  /** Where Velero runs and keeps its objects ("velero" by default). */
  namespace: string;
  pollIntervalMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, context: VeleroContext, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ClusterDriverError("UNKNOWN", `cluster ${context.cluster}: unexpected ${what} from Velero`, {
    cluster: context.cluster,
  });
}

function failureText(status: VeleroStatus | undefined): string {
  const parts: string[] = [];
  if (status?.failureReason) parts.push(status.failureReason);
  if (status?.validationErrors?.length)
    parts.push(`validation errors: ${status.validationErrors.join("; ")}`);
  if (status?.errors) parts.push(`${status.errors} error(s), see \`velero describe\` for details`);
  return parts.join("; ") || "no reason given";
}

/** A 404 on creating a Velero object: the CRDs or Velero's namespace are missing, i.e. Velero is not installed. */
function veleroMissing(context: VeleroContext, error: unknown, what: string): ClusterDriverError {
  const mapped = toDriverError(error, { cluster: context.cluster, operation: what });
  return new ClusterDriverError(
    "NOT_FOUND",
    `cluster ${context.cluster}: ${what}: Velero is not installed (no ${GROUP}/${VERSION} objects served ` +
      `in namespace ${context.namespace}): ${mapped.message}`,
    { cluster: context.cluster, cause: error },
  );
}

function assertName(name: string, cluster: string): void {
  if (!objectNameSchema.safeParse(name).success)
    throw new ClusterDriverError("INVALID_ARGUMENT", `invalid backup name ${JSON.stringify(name)}`, {
      cluster,
    });
}

/** A Backup or Restore, or null while it does not exist (yet). */
async function readObject<T>(
  context: VeleroContext,
  kind: VeleroKind,
  schema: z.ZodType<T>,
  name: string,
): Promise<T | null> {
  try {
    const object: unknown = await context.apis.custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: context.namespace,
      plural: KINDS[kind].plural,
      name,
    });
    return parse(schema, object, context, `${kind} ${name}`);
  } catch (error) {
    if (isApiError(error, 404)) return null;
    if (context.signal?.aborted) throw context.signal.reason;
    throw toDriverError(error, { cluster: context.cluster, operation: `reading Velero ${kind} ${name}` });
  }
}

function readBackup(context: VeleroContext, name: string): Promise<Backup | null> {
  return readObject(context, "Backup", backupSchema, name);
}

/**
 * Polls a Backup or Restore until Velero completes it. A failed phase is final,
 * so it throws at once; `subject` says what the object was doing, for that error.
 */
async function awaitCompleted<T extends { status?: VeleroStatus | undefined }>(
  context: VeleroContext,
  kind: VeleroKind,
  schema: z.ZodType<T>,
  name: string,
  subject: string,
): Promise<T> {
  const { cluster } = context;
  return pollUntil<T>(
    async () => {
      const current = await readObject(context, kind, schema, name);
      if (!current) return { done: false, state: "not found yet" };
      const phase = current.status?.phase ?? "New";
      if (phase === "Completed") return { done: true, value: current };
      if (FAILED_PHASES.has(phase))
        throw new ClusterDriverError(
          KINDS[kind].failed,
          `cluster ${cluster}: Velero ${kind} ${name} ${subject} ended ${phase}: ${failureText(current.status)}`,
          { cluster },
        );
      return { done: false, state: phase };
    },
    { intervalMs: context.pollIntervalMs, timeoutMs: context.timeoutMs, signal: context.signal },
    (state) =>
      new ClusterDriverError(
        "TIMEOUT",
        `cluster ${cluster}: Velero ${kind} ${name} did not complete within ${context.timeoutMs} ms (last phase: ${state})`,
        { cluster },
      ),
  );
}

/** Bytes Velero's file-system backup uploaded for the backup's pod volumes; 0 when it took none. */
async function volumeBytes(context: VeleroContext, backupName: string): Promise<number> {
  const list: unknown = await call(
    { cluster: context.cluster, operation: `listing pod volume backups of ${backupName}` },
    () =>
      context.apis.custom.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: context.namespace,
        plural: "podvolumebackups",
        labelSelector: `velero.io/backup-name=${backupName}`,
      }),
    context.signal,
  );
  const parsed = podVolumeBackupListSchema.safeParse(list);
  if (!parsed.success) return 0;
  return parsed.data.items.reduce((sum, item) => sum + (item.status?.progress?.bytesDone ?? 0), 0);
}

export async function backupNamespace(
  context: VeleroContext,
  namespace: string,
  backupName: string,
): Promise<BackupInfo> {
  const { cluster } = context;
  assertName(backupName, cluster);
  const body = {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: "Backup",
    metadata: {
      name: backupName,
      namespace: context.namespace,
      annotations: { [SOURCE_CLUSTER_ANNOTATION]: cluster },
    },
    spec: { includedNamespaces: [namespace] },
  };
  try {
    await context.apis.custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: context.namespace,
      plural: "backups",
      body,
    });
  } catch (error) {
    if (context.signal?.aborted) throw context.signal.reason;
    const operation = `creating Velero Backup ${backupName} of ${namespace}`;
    if (isApiError(error, 404)) throw veleroMissing(context, error, operation);
    if (!isApiError(error, 409)) throw toDriverError(error, { cluster, operation });
    // A redelivered "backup" request must not fail: the same backup again is the same result.
    const existing = await readBackup(context, backupName);
    const namespaces = existing?.spec?.includedNamespaces ?? [];
    if (namespaces.length !== 1 || namespaces[0] !== namespace)
      throw new ClusterDriverError(
        "ALREADY_EXISTS",
        `cluster ${cluster}: Velero Backup ${backupName} already exists for another namespace`,
        { cluster },
      );
  }

  const backup = await awaitCompleted(
    context,
    "Backup",
    backupSchema,
    backupName,
    `of namespace ${namespace}`,
  );

  const progress = backup.status?.progress;
  return {
    name: backupName,
    sourceCluster: backup.metadata.annotations?.[SOURCE_CLUSTER_ANNOTATION] ?? cluster,
    namespace,
    phase: "Completed",
    startedAt: backup.status?.startTimestamp ?? "",
    completedAt: backup.status?.completionTimestamp ?? "",
    resourceCount: progress?.itemsBackedUp ?? progress?.totalItems ?? 0,
    volumeBytes: await volumeBytes(context, backupName),
  };
}

/** Restore objects are named after what they do, so a redelivered request finds the one it started. */
export function restoreName(backupName: string, targetNamespace: string): string {
  const name = `${backupName}-to-${targetNamespace}`;
  if (name.length <= 253) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 10);
  return `${name.slice(0, 242).replace(/[-.]+$/, "")}-${hash}`;
}

export async function restoreNamespace(
  context: VeleroContext,
  backupName: string,
  targetNamespace: string,
): Promise<RestoreInfo> {
  const { cluster } = context;
  assertName(backupName, cluster);
  const backup = await readBackup(context, backupName);
  if (!backup || backup.status?.phase !== "Completed")
    throw new ClusterDriverError(
      "NOT_FOUND",
      `cluster ${cluster}: no completed Velero Backup ${backupName} in the backup store` +
        (backup ? ` (phase ${backup.status?.phase ?? "New"})` : ""),
      { cluster },
    );
  const [sourceNamespace] = backup.spec?.includedNamespaces ?? [];
  if (!sourceNamespace || (backup.spec?.includedNamespaces?.length ?? 0) !== 1)
    throw new ClusterDriverError(
      "INVALID_ARGUMENT",
      `cluster ${cluster}: Velero Backup ${backupName} does not cover exactly one namespace`,
      { cluster },
    );

  const name = restoreName(backupName, targetNamespace);
  const body = {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: "Restore",
    metadata: { name, namespace: context.namespace },
    spec: {
      backupName,
      includedNamespaces: [sourceNamespace],
      namespaceMapping: { [sourceNamespace]: targetNamespace },
    },
  };
  try {
    await context.apis.custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: context.namespace,
      plural: "restores",
      body,
    });
  } catch (error) {
    if (context.signal?.aborted) throw context.signal.reason;
    // 409: this restore was started before (a redelivered request); follow it to its end.
    const operation = `creating Velero Restore ${name}`;
    if (isApiError(error, 404)) throw veleroMissing(context, error, operation);
    if (!isApiError(error, 409)) throw toDriverError(error, { cluster, operation });
  }

  const restore = await awaitCompleted(
    context,
    "Restore",
    restoreSchema,
    name,
    `of backup ${backupName} into namespace ${targetNamespace}`,
  );

  return {
    backupName,
    // Backups from before the console annotated them do not say where they came from.
    sourceCluster: backup.metadata.annotations?.[SOURCE_CLUSTER_ANNOTATION] ?? "unknown",
    sourceNamespace,
    targetCluster: cluster,
    targetNamespace,
    startedAt: restore.status?.startTimestamp ?? "",
    completedAt: restore.status?.completionTimestamp ?? "",
    resourceCount: restore.status?.progress?.itemsRestored ?? 0,
  };
}

export async function backupExists(context: VeleroContext, backupName: string): Promise<boolean> {
  assertName(backupName, context.cluster);
  const backup = await readBackup(context, backupName);
  return backup?.status?.phase === "Completed";
}
