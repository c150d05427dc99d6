import { type KubernetesManifest } from "../manifests";

/**
 * Where simulated backups live: the stand-in for Velero's object storage
 * (a BackupStorageLocation). One store shared by several clusters is what
 * makes a backup taken on one cluster restorable on another.
 */

export interface BackupVolume {
  /** PersistentVolumeClaim name. */
  claim: string;
  bytes: number;
}

export interface BackupRecord {
  name: string;
  sourceCluster: string;
  namespace: string;
  /** The labels the namespace's resources were applied with (the instance id). */
  labels: Record<string, string>;
  /** The live objects at backup time (current replicas included), without cluster-assigned fields. */
  manifests: KubernetesManifest[];
  volumes: BackupVolume[];
  startedAt: number;
  completedAt: number;
}

/** Asynchronous so that a store shared between processes (files, S3) fits the same interface. */
export interface BackupStore {
  put(record: BackupRecord): Promise<void>;
  get(name: string): Promise<BackupRecord | undefined>;
  has(name: string): Promise<boolean>;
  delete(name: string): Promise<boolean>;
  list(): Promise<BackupRecord[]>;
}

/** Copies on the way in and out, so a restored namespace never aliases the backed-up state. */
export class InMemoryBackupStore implements BackupStore {
  private readonly records = new Map<string, BackupRecord>();

  async put(record: BackupRecord): Promise<void> {
    this.records.set(record.name, structuredClone(record));
  }

  async get(name: string): Promise<BackupRecord | undefined> {
    const record = this.records.get(name);
    return record ? structuredClone(record) : undefined;
  }

  async has(name: string): Promise<boolean> {
    return this.records.has(name);
  }

  async delete(name: string): Promise<boolean> {
    return this.records.delete(name);
  }

  async list(): Promise<BackupRecord[]> {
    return [...this.records.values()].map((record) => structuredClone(record));
  }
}
