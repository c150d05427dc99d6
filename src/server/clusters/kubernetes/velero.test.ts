import { describe, expect, it } from "vitest";
import { apiStatus, fixture } from "./testing/fake-api-server";
import { fakeApiServerPerTest } from "./testing/driver-harness";

const NS = "shop-caedfa4f";
const BACKUP = "pro-onelab-caedfa4f-20250527130439";
const BACKUPS = "/apis/velero.io/v1/namespaces/velero/backups";
const RESTORES = "/apis/velero.io/v1/namespaces/velero/restores";
const RESTORE = `${BACKUP}-to-shop-7d41b9e2`;
const api = fakeApiServerPerTest({ pollIntervalMs: 5, restoreTimeoutMs: 5_000 });
const driver = (options: { backupTimeoutMs?: number; cluster?: string } = {}) =>
  api.driver({ cluster: options.cluster ?? "edge-1", backupTimeoutMs: options.backupTimeoutMs ?? 5_000 });

const reply = (name: string) => ({ status: 200, body: fixture(name) });

function serveBackupCreate() {
  api.on("POST", BACKUPS, { status: 201, body: fixture("velero-backup-created.json") });
  api.on(
    "GET",
    "/apis/velero.io/v1/namespaces/velero/podvolumebackups",
    reply("velero-podvolumebackups.json"),
  );
}

describe("kubernetes driver: Velero backup", () => {
  it("creates a Backup of the namespace and polls its phase from New through InProgress to Completed", async () => {
    serveBackupCreate();
    api.on("GET", `${BACKUPS}/${BACKUP}`, [
      reply("velero-backup-created.json"), // no status yet: Velero has not picked it up
      reply("velero-backup-inprogress.json"),
      reply("velero-backup-completed.json"),
    ]);

    const info = await driver().backupNamespace(NS, BACKUP);

    expect(api.calls().map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${BACKUPS}`,
      `GET ${BACKUPS}/${BACKUP}`,
      `GET ${BACKUPS}/${BACKUP}`,
      `GET ${BACKUPS}/${BACKUP}`,
      "GET /apis/velero.io/v1/namespaces/velero/podvolumebackups",
    ]);
    const create = api.calls()[0];
    expect(create?.contentType).toBe("application/json");
    expect(create?.body).toEqual({
      apiVersion: "velero.io/v1",
      kind: "Backup",
      metadata: { name: BACKUP, namespace: "velero", annotations: { "nemo.eu/source-cluster": "edge-1" } },
      spec: { includedNamespaces: [NS] },
    });
    expect(api.calls()[4]?.query).toEqual({ labelSelector: `velero.io/backup-name=${BACKUP}` });
    expect(info).toEqual({
      name: BACKUP,
      sourceCluster: "edge-1",
      namespace: NS,
      phase: "Completed",
      startedAt: "2025-05-27T13:04:40Z",
      completedAt: "2025-05-27T13:04:52Z",
      resourceCount: 23,
      volumeBytes: 48234496,
    });
  });

  it("fails with BACKUP_FAILED and Velero's error count when the backup ends PartiallyFailed", async () => {
    serveBackupCreate();
    api.on("GET", `${BACKUPS}/${BACKUP}`, [
      reply("velero-backup-inprogress.json"),
      reply("velero-backup-partially-failed.json"),
    ]);
    await expect(driver().backupNamespace(NS, BACKUP)).rejects.toMatchObject({
      type: "BACKUP_FAILED",
      cluster: "edge-1",
      message:
        `cluster edge-1: Velero Backup ${BACKUP} of namespace ${NS} ended PartiallyFailed: ` +
        "2 error(s), see `velero describe` for details",
    });
  });

  it("fails with BACKUP_FAILED naming the validation errors when Velero rejects the Backup", async () => {
    serveBackupCreate();
    api.on("GET", `${BACKUPS}/${BACKUP}`, reply("velero-backup-failed-validation.json"));
    await expect(driver().backupNamespace(NS, BACKUP)).rejects.toMatchObject({
      type: "BACKUP_FAILED",
      message: expect.stringContaining(
        "ended FailedValidation: validation errors: an existing backup storage location wasn't specified",
      ),
    });
  });

  it("follows an existing Backup of the same namespace instead of failing (a redelivered request)", async () => {
    serveBackupCreate();
    api.on("POST", BACKUPS, apiStatus(409, "AlreadyExists", `backups.velero.io "${BACKUP}" already exists`));
    api.on("GET", `${BACKUPS}/${BACKUP}`, reply("velero-backup-completed.json"));
    expect(await driver().backupNamespace(NS, BACKUP)).toMatchObject({ name: BACKUP, resourceCount: 23 });
  });

  it("refuses a Backup name already used for another namespace, as ALREADY_EXISTS", async () => {
    serveBackupCreate();
    api.on("POST", BACKUPS, apiStatus(409, "AlreadyExists", `backups.velero.io "${BACKUP}" already exists`));
    api.on("GET", `${BACKUPS}/${BACKUP}`, reply("velero-backup-completed.json"));
    await expect(driver().backupNamespace("billing", BACKUP)).rejects.toMatchObject({
      type: "ALREADY_EXISTS",
    });
  });

  it("gives up with TIMEOUT when the backup is still InProgress at the deadline", async () => {
    serveBackupCreate();
    api.on("GET", `${BACKUPS}/${BACKUP}`, reply("velero-backup-inprogress.json"));
    await expect(driver({ backupTimeoutMs: 60 }).backupNamespace(NS, BACKUP)).rejects.toMatchObject({
      type: "TIMEOUT",
      message: `cluster edge-1: Velero Backup ${BACKUP} did not complete within 60 ms (last phase: InProgress)`,
    });
  });

  it("stops polling when the caller aborts, rejecting with the signal's reason", async () => {
    serveBackupCreate();
    api.on("GET", `${BACKUPS}/${BACKUP}`, reply("velero-backup-inprogress.json"));
    const controller = new AbortController();
    const reason = new Error("worker shutting down");
    setTimeout(() => controller.abort(reason), 40);
    await expect(driver().backupNamespace(NS, BACKUP, { signal: controller.signal })).rejects.toBe(reason);
    // The abort also cancels a GET in flight; the fake server (same process) may still
    // record it a moment later, so count once that one has landed, then watch for new ones.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const polls = api.calls().filter((r) => r.method === "GET").length;
    expect(polls).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100)); // 20 poll intervals
    expect(api.calls().filter((r) => r.method === "GET")).toHaveLength(polls);
  });

  it("says Velero is not installed when the cluster does not serve velero.io (404 on create)", async () => {
    await expect(driver().backupNamespace(NS, BACKUP)).rejects.toMatchObject({
      type: "NOT_FOUND",
      message: expect.stringContaining("Velero is not installed"),
    });
  });

  it("rejects a backup name Kubernetes would refuse, without a request", async () => {
    await expect(driver().backupNamespace(NS, "Not A Name")).rejects.toMatchObject({
      type: "INVALID_ARGUMENT",
    });
    expect(api.requests).toEqual([]);
  });
});

describe("kubernetes driver: Velero restore", () => {
  it("restores a completed backup into the target namespace with a namespaceMapping and polls it to Completed", async () => {
    api.on("GET", `${BACKUPS}/${BACKUP}`, reply("velero-backup-completed.json"));
    api.on("POST", RESTORES, { status: 201, body: fixture("velero-restore-inprogress.json") });
    api.on("GET", `${RESTORES}/${RESTORE}`, [
      reply("velero-restore-inprogress.json"),
      reply("velero-restore-completed.json"),
    ]);

    const info = await driver({ cluster: "cloud-2" }).restoreNamespace(BACKUP, "shop-7d41b9e2");

    expect(api.calls().map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${BACKUPS}/${BACKUP}`,
      `POST ${RESTORES}`,
      `GET ${RESTORES}/${RESTORE}`,
      `GET ${RESTORES}/${RESTORE}`,
    ]);
    expect(api.calls()[1]?.body).toEqual({
      apiVersion: "velero.io/v1",
      kind: "Restore",
      metadata: { name: RESTORE, namespace: "velero" },
      spec: {
        backupName: BACKUP,
        includedNamespaces: [NS],
        namespaceMapping: { [NS]: "shop-7d41b9e2" },
      },
    });
    expect(info).toEqual({
      backupName: BACKUP,
      sourceCluster: "edge-1",
      sourceNamespace: NS,
      targetCluster: "cloud-2",
      targetNamespace: "shop-7d41b9e2",
      startedAt: "2025-05-29T11:10:02Z",
      completedAt: "2025-05-29T11:10:19Z",
      resourceCount: 21,
    });
  });

  it("fails with RESTORE_FAILED and Velero's reason when the restore ends Failed", async () => {
    api.on("GET", `${BACKUPS}/${BACKUP}`, reply("velero-backup-completed.json"));
    api.on("POST", RESTORES, { status: 201, body: fixture("velero-restore-inprogress.json") });
    api.on("GET", `${RESTORES}/${RESTORE}`, reply("velero-restore-failed.json"));
    await expect(driver().restoreNamespace(BACKUP, "shop-7d41b9e2")).rejects.toMatchObject({
      type: "RESTORE_FAILED",
      message: expect.stringContaining(
        `ended Failed: error downloading backup: backup.velero.io "${BACKUP}"`,
      ),
    });
  });

  it("refuses to restore a backup that is missing or not completed yet, as NOT_FOUND", async () => {
    await expect(driver().restoreNamespace(BACKUP, "shop-7d41b9e2")).rejects.toMatchObject({
      type: "NOT_FOUND",
    });
    api.on("GET", `${BACKUPS}/${BACKUP}`, reply("velero-backup-inprogress.json"));
    await expect(driver().restoreNamespace(BACKUP, "shop-7d41b9e2")).rejects.toMatchObject({
      type: "NOT_FOUND",
      message: expect.stringContaining("(phase InProgress)"),
    });
    expect(api.calls().filter((r) => r.method === "POST")).toEqual([]);
  });
});

describe("kubernetes driver: backupExists", () => {
  it("is false when the Backup is not there (404)", async () => {
    api.on(
      "GET",
      `${BACKUPS}/${BACKUP}`,
      apiStatus(404, "NotFound", `backups.velero.io "${BACKUP}" not found`),
    );
    expect(await driver().backupExists(BACKUP)).toBe(false);
    expect(api.calls().map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${BACKUPS}/${BACKUP}`]);
  });

  it("is true only once the Backup has completed", async () => {
    api.on("GET", `${BACKUPS}/${BACKUP}`, reply("velero-backup-inprogress.json"));
    expect(await driver().backupExists(BACKUP)).toBe(false);
    api.on("GET", `${BACKUPS}/${BACKUP}`, reply("velero-backup-completed.json"));
    expect(await driver().backupExists(BACKUP)).toBe(true);
  });

  it("throws a typed error when the cluster refuses to say", async () => {
    api.on("GET", `${BACKUPS}/${BACKUP}`, apiStatus(403, "Forbidden", "backups.velero.io is forbidden"));
    await expect(driver().backupExists(BACKUP)).rejects.toMatchObject({ type: "UNAUTHORIZED" });
  });
});
