import { z } from "zod";
import { type Db } from "@/server/db";
import { ClusterDriverError } from "../errors";
import { kubernetesManifestSchema } from "../manifests";
import { type BackupRecord, type BackupStore } from "./backup-store";

/**
 * The simulated Velero bucket in PostgreSQL (`simulated_backups`), so a
 * namespace backed up by one process's agent can be restored by another's.
 * The row's columns hold what is queried (name, source, namespace); the rest
 * of the record is the `content` JSON, validated when read back.
 */

const contentSchema = z.object({
  labels: z.record(z.string(), z.string()),
  manifests: z.array(kubernetesManifestSchema),
  volumes: z.array(z.object({ claim: z.string(), bytes: z.number().nonnegative() })),
  startedAt: z.number(),
  completedAt: z.number(),
});

const rowSchema = z.object({
  name: z.string(),
  sourceCluster: z.string(),
  namespace: z.string(),
  content: z.string(),
});

function toRecord(row: unknown): BackupRecord {
  const { name, sourceCluster, namespace, content } = rowSchema.parse(row);
  const parsed = contentSchema.safeParse(JSON.parse(content));
  if (!parsed.success)
    throw new ClusterDriverError(
      "UNKNOWN",
      `invalid simulated backup ${name}: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`,
    );
  return { name, sourceCluster, namespace, ...parsed.data };
}

export class PostgresBackupStore implements BackupStore {
  constructor(private readonly db: Db) {}

  /** Replaces a record of the same name, as the in-memory store does. */
  async put(record: BackupRecord): Promise<void> {
    const { name, sourceCluster, namespace, ...rest } = record;
    const content = JSON.stringify({
      labels: rest.labels,
      manifests: rest.manifests,
      volumes: rest.volumes,
      startedAt: rest.startedAt,
      completedAt: rest.completedAt,
    });
    await this.db.$executeRaw`
      INSERT INTO simulated_backups (name, source_cluster, namespace, content)
      VALUES (${name}, ${sourceCluster}, ${namespace}, ${content}::jsonb)
      ON CONFLICT (name) DO UPDATE
        SET source_cluster = EXCLUDED.source_cluster, namespace = EXCLUDED.namespace,
            content = EXCLUDED.content, created_at = CURRENT_TIMESTAMP`;
  }

  async get(name: string): Promise<BackupRecord | undefined> {
    const rows = await this.db.$queryRaw<unknown[]>`
      SELECT name, source_cluster AS "sourceCluster", namespace, content::text AS content
      FROM simulated_backups WHERE name = ${name}`;
    return rows.length === 0 ? undefined : toRecord(rows[0]);
  }

  async has(name: string): Promise<boolean> {
    return (await this.db.simulatedBackup.count({ where: { name } })) > 0;
  }

  async delete(name: string): Promise<boolean> {
    return (await this.db.simulatedBackup.deleteMany({ where: { name } })).count > 0;
  }

  async list(): Promise<BackupRecord[]> {
    const rows = await this.db.$queryRaw<unknown[]>`
      SELECT name, source_cluster AS "sourceCluster", namespace, content::text AS content
      FROM simulated_backups ORDER BY created_at, name`;
    return rows.map(toRecord);
  }
}
