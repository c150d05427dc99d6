import { parseDocument } from "yaml";
import type { Prisma } from "@/generated/prisma/client";
import { diffLines, diffStats, type DiffLine } from "@/common/line-diff";
import { isChangeable, isRetryable } from "@/common/instance-status";
import { enqueueOutbox, messages } from "@/server/bus";
import { describePolicyViolations, namespacePolicyViolations } from "@/server/clusters";
import { DomainError, parseOrThrow } from "@/server/errors";
import { unsupportedIntentMessage } from "@/server/intents";
import { logger } from "@/server/logger";
import { renderWorkload } from "@/server/workloads";
import {
  assertServiceUser,
  instanceRowSelect,
  loadScoped,
  toInstanceView,
  type InstanceDeps,
  type InstanceView,
} from "./instances";
import {
  openManifests,
  openValuesOverride,
  sealInstanceSecrets,
  storedManifests,
  type StoredManifest,
} from "./instance-secrets";
import { recordLifecycleEvent } from "./lifecycle";
import { parseRenderedManifests } from "./placement-input";
import { desiredWorkloadReplicas, totalDesiredReplicas } from "./replicas";
import {
  instanceChangeInputSchema,
  MAX_HAND_REPLICAS,
  type InstanceChangeInput,
  type ReplicaChange,
} from "./schemas";
import { moveInstance } from "./transitions";
import { renderedOrThrow } from "./render-result";

/**
 * Changing and retrying an instance after it was created.
 *
 * - **Retry**: a FAILED instance goes back to RENDERED with a `run` message,
 *   so the orchestrator places it again over the clusters as they are now
 *   (whatever a failed attempt left on its old cluster is removed there when
 *   the new placement chooses another one).
 * - **Change**: a DEPLOYED instance gets new manifests — re-rendered with a
 *   new values override and / or another version of its workload (an
 *   upgrade: `.Release.IsUpgrade` true), and / or replicas set by hand on its
 *   Deployments and StatefulSets. The new manifests, the DEPLOYING status, the
 *   Upgrade / Scaling event and the `run` message commit in one transaction;
 *   the orchestrator then applies them on the instance's cluster (apply is
 *   idempotent and prunes objects the new render dropped) and finishes
 *   DEPLOYING → DEPLOYED. A crash anywhere leaves DEPLOYING with the new
 *   manifests stored, which the redelivered message or the reconciler
 *   resumes: the crash safety of a first deployment.
 *
 * Hand-set replicas are written into the stored manifests, so a re-sync, a
 * redeployment or a migration keeps them; a later upgrade renders the chart's
 * replicas again unless it sets them too (as `helm upgrade` does), and its
 * diff shows it.
 */
const log = logger.child({ module: "instance-changes" });

export type ObjectChange = "added" | "removed" | "changed";

/** One object of the manifest diff. */
export interface ManifestObjectDiff {
  kind: string;
  name: string;
  change: ObjectChange;
  /** A Secret: its values read `<redacted>` on both sides; `secretValuesChanged` says whether they differ. */
  secret: boolean;
  secretValuesChanged: boolean;
  added: number;
  removed: number;
  lines: DiffLine[];
}

export interface ManifestDiff {
  objects: ManifestObjectDiff[];
  /** Objects the change leaves as they are. */
  unchanged: number;
}

/** What a change would do, before it is confirmed. */
export interface ChangePreview {
  diff: ManifestDiff;
  /** False when the new manifests equal the current ones: applying it does nothing. */
  changed: boolean;
  from: { workloadId: number; version: string };
  to: { workloadId: number; version: string };
  upgrade: boolean;
  valuesChanged: boolean;
  replicas: ReplicaChange[];
}

export interface ChangeResult extends ChangePreview {
  instance: InstanceView;
}

const objectKey = (m: { kind: string; name: string }) => `${m.kind}/${m.name}`;

/** Per object (kind/name): added, removed or changed, with its line diff; Secrets compared on their opened content. */
export function manifestDiff(
  before: { shown: readonly StoredManifest[]; opened: readonly StoredManifest[] },
  after: { shown: readonly StoredManifest[]; opened: readonly StoredManifest[] },
): ManifestDiff {
  const index = (list: readonly StoredManifest[]) => new Map(list.map((m) => [objectKey(m), m]));
  const oldShown = index(before.shown);
  const oldOpened = index(before.opened);
  const newShown = index(after.shown);
  const newOpened = index(after.opened);
  const objects: ManifestObjectDiff[] = [];
  let unchanged = 0;
  const entry = (m: StoredManifest, change: ObjectChange, lines: DiffLine[], valuesChanged: boolean) => {
    const secret = m.kind === "Secret";
    objects.push({
      kind: m.kind,
      name: m.name,
      change,
      secret,
      secretValuesChanged: secret && valuesChanged,
      ...diffStats(lines),
      lines,
    });
  };
  for (const [key, old] of oldShown) {
    const next = newShown.get(key);
    if (!next) {
      entry(old, "removed", diffLines(old.content, ""), true);
      continue;
    }
    const openedChanged = oldOpened.get(key)?.content !== newOpened.get(key)?.content;
    if (old.content === next.content && !openedChanged) {
      unchanged++;
      continue;
    }
    entry(next, "changed", diffLines(old.content, next.content), openedChanged);
  }
  for (const [key, next] of newShown) {
    if (!oldShown.has(key)) entry(next, "added", diffLines("", next.content), true);
  }
  return { objects, unchanged };
}

/** Sets spec.replicas of the named Deployments / StatefulSets in rendered manifests. */
function withReplicas(
  manifests: readonly StoredManifest[],
  changes: readonly ReplicaChange[],
): StoredManifest[] {
  const out = manifests.map((m) => ({ ...m }));
  changes.forEach((change, i) => {
    const target = out.find((m) => m.kind === change.kind && m.name === change.name);
    if (!target) {
      const names = out.filter((m) => m.kind === change.kind).map((m) => m.name);
      throw new DomainError(
        "invalid",
        `The instance has no ${change.kind} named "${change.name}"` +
          (names.length > 0 ? `; its ${change.kind}s: ${names.join(", ")}.` : "."),
        `replicas.${i}.name`,
      );
    }
    const doc = parseDocument(target.content);
    doc.setIn(["spec", "replicas"], change.replicas);
    target.content = doc.toString();
  });
  return out;
}

interface PlannedChange {
  preview: ChangePreview;
  data: {
    workloadId: number;
    isUpgrade: boolean;
    valuesOverrideCipher: Uint8Array<ArrayBuffer> | null;
    manifests: StoredManifest[];
    manifestSecretsCipher: Uint8Array<ArrayBuffer> | null;
    replicas: number;
  } | null;
}

/** Renders (when values or version change), applies the replica changes and diffs; writes nothing. */
async function planChange(
  deps: InstanceDeps,
  id: string,
  input: InstanceChangeInput,
): Promise<{ row: Awaited<ReturnType<typeof loadScoped>>; plan: PlannedChange }> {
  const { db, user } = deps;
  assertServiceUser(user);
  const change = parseOrThrow(instanceChangeInputSchema, input);
  const row = await loadScoped(db, user, id);
  if (!isChangeable(row.status)) {
    throw new DomainError(
      "conflict",
      `Instance ${row.releaseName} is ${row.status}; only a DEPLOYED instance can be changed.`,
    );
  }
  const current = await db.workload.findUniqueOrThrow({
    where: { id: row.workloadId },
    select: { id: true, name: true, version: true, ownerId: true },
  });
  const targetWorkloadId = change.workloadId ?? row.workloadId;
  const target = await db.workload.findFirst({
    where: { id: targetWorkloadId, ownerId: current.ownerId },
    select: {
      id: true,
      name: true,
      version: true,
      status: true,
      supportedIntents: true,
      clusterScopedApprovedAt: true,
    },
  });
  // Another tenant's workload, or one of another name, is "not found" for this instance.
  if (!target || target.name !== current.name) {
    throw new DomainError(
      "not_found",
      `No version ${targetWorkloadId} of workload ${current.name}.`,
      "workloadId",
    );
  }
  if (target.status !== "ACCEPTED") {
    throw new DomainError(
      "conflict",
      `Workload ${target.name} ${target.version} is not ACCEPTED yet: upload a valid chart first.`,
      "workloadId",
    );
  }
  if (target.id !== current.id) {
    // The instance's intents stay: the new version must support each of them.
    const intents = await db.intent.findMany({
      where: { instanceId: row.id, deletedAt: null },
      select: { intentType: true },
      distinct: ["intentType"],
    });
    for (const intent of intents) {
      const unsupported = unsupportedIntentMessage(target, intent.intentType);
      if (unsupported) throw new DomainError("invalid", unsupported, "workloadId");
    }
  }

  const currentValues = openValuesOverride(row) ?? "";
  const values = change.valuesOverride ?? currentValues;
  const valuesChanged = values.trim() !== currentValues.trim();
  const upgrade = target.id !== current.id || change.valuesOverride !== undefined;
  const before = { shown: storedManifests(row.manifests), opened: openManifests(row) };

  let opened: StoredManifest[];
  if (upgrade) {
    const rendered = await renderWorkload(
      { db, user, ...(deps.renderer && { renderer: deps.renderer }) },
      target.id,
      {
        releaseName: row.releaseName,
        namespace: row.namespace,
        values,
        includeCrds: row.includeCrds,
        isUpgrade: true,
        noHooks: row.noHooks,
      },
    );
    opened = renderedOrThrow(rendered).manifests.map((m) => ({ ...m }));
  } else {
    opened = before.opened.map((m) => ({ ...m }));
  }
  const replicaChanges = change.replicas ?? [];
  opened = withReplicas(opened, replicaChanges);

  const objects = parseRenderedManifests(opened);
  const violations = namespacePolicyViolations(objects, row.namespace, {
    allowClusterScoped: target.clusterScopedApprovedAt !== null,
  });
  if (violations.length > 0) throw new DomainError("unprocessable", describePolicyViolations(violations));

  const sealed = sealInstanceSecrets(values.trim() ? values : null, opened);
  const diff = manifestDiff(before, { shown: sealed.manifests, opened });
  const preview: ChangePreview = {
    diff,
    changed: diff.objects.length > 0 || target.id !== current.id || valuesChanged,
    from: { workloadId: current.id, version: current.version },
    to: { workloadId: target.id, version: target.version },
    upgrade,
    valuesChanged,
    replicas: replicaChanges,
  };
  return {
    row,
    plan: {
      preview,
      data: preview.changed
        ? {
            workloadId: target.id,
            isUpgrade: upgrade ? true : row.isUpgrade,
            valuesOverrideCipher: sealed.valuesOverrideCipher,
            manifests: sealed.manifests,
            manifestSecretsCipher: sealed.manifestSecretsCipher,
            replicas: totalDesiredReplicas(objects),
          }
        : null,
    },
  };
}

/** The manifest diff a change would apply, without applying it (the confirmation's content). */
export async function previewInstanceChange(
  deps: InstanceDeps,
  id: string,
  input: InstanceChangeInput,
): Promise<ChangePreview> {
  return (await planChange(deps, id, input)).plan.preview;
}

function describeChange(preview: ChangePreview, by: string): string {
  const parts: string[] = [];
  if (preview.from.workloadId !== preview.to.workloadId) {
    parts.push(`version ${preview.from.version} → ${preview.to.version}`);
  }
  if (preview.valuesChanged) parts.push("new values override");
  for (const r of preview.replicas) parts.push(`${r.kind} ${r.name} to ${r.replicas} replica(s)`);
  const counts = (["added", "changed", "removed"] as const)
    .map((kind) => [kind, preview.diff.objects.filter((o) => o.change === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  return `${parts.join(", ") || "re-rendered"} by ${by}${counts.length > 0 ? ` (${counts.join(", ")})` : ""}`;
}

/**
 * Applies a change to a DEPLOYED instance: stores the new manifests and asks
 * the orchestrator to apply them (DEPLOYED → DEPLOYING → DEPLOYED). A change
 * that changes nothing stores nothing and answers `changed: false`.
 */
export async function changeInstance(
  deps: InstanceDeps,
  id: string,
  input: InstanceChangeInput,
): Promise<ChangeResult> {
  const { db, user } = deps;
  const { row, plan } = await planChange(deps, id, input);
  if (!plan.data) return { ...plan.preview, instance: toInstanceView(row, user) };
  const data = plan.data;
  const preview = plan.preview;
  const updated = await db.$transaction(async (tx) => {
    // Only from DEPLOYED as just read: a migration or deletion that started meanwhile wins.
    const moved = await moveInstance(tx, row.id, "DEPLOYED", "DEPLOYING", {
      workloadId: data.workloadId,
      isUpgrade: data.isUpgrade,
      valuesOverride: null,
      valuesOverrideCipher: data.valuesOverrideCipher,
      manifests: data.manifests as unknown as Prisma.InputJsonArray,
      manifestSecretsCipher: data.manifestSecretsCipher,
      replicas: data.replicas,
      statusReason: null,
    });
    if (!moved) {
      throw new DomainError(
        "conflict",
        `Instance ${row.releaseName} changed while the change was prepared; try again when it settles.`,
      );
    }
    const type = preview.upgrade ? "Upgrade" : "Scaling";
    await recordLifecycleEvent(tx, row.id, type, describeChange(preview, user.username), {
      by: user.username,
      fromWorkloadId: preview.from.workloadId,
      fromVersion: preview.from.version,
      toWorkloadId: preview.to.workloadId,
      toVersion: preview.to.version,
      valuesChanged: preview.valuesChanged,
      replicas: preview.replicas.map((r) => ({ kind: r.kind, name: r.name, replicas: r.replicas })),
      objects: preview.diff.objects.map((o) => ({ kind: o.kind, name: o.name, change: o.change })),
    });
    await enqueueOutbox(tx, messages.workloadRun, { workload_id: row.id, status: "deploy" });
    return tx.workloadInstance.findUniqueOrThrow({ where: { id: row.id }, select: instanceRowSelect });
  });
  log.info(
    {
      instance: row.id,
      release: row.releaseName,
      cluster: row.cluster?.name,
      workload: data.workloadId,
      upgrade: preview.upgrade,
      replicas: preview.replicas,
      by: user.username,
    },
    preview.upgrade ? "instance upgrade requested" : "instance scaling requested",
  );
  return { ...preview, instance: toInstanceView(updated, user) };
}

/**
 * Retries a FAILED instance: back to RENDERED with a `run` message, so the
 * orchestrator places it again over the clusters as they are now.
 */
export async function retryInstance(deps: InstanceDeps, id: string): Promise<InstanceView> {
  const { db, user } = deps;
  assertServiceUser(user);
  const row = await loadScoped(db, user, id);
  if (!isRetryable(row.status)) {
    throw new DomainError(
      "conflict",
      `Instance ${row.releaseName} is ${row.status}; only a FAILED instance can be retried.`,
    );
  }
  const updated = await db.$transaction(async (tx) => {
    if (!(await moveInstance(tx, row.id, "FAILED", "RENDERED", { statusReason: null }))) {
      throw new DomainError(
        "conflict",
        `Instance ${row.releaseName} changed while it was being retried; try again when it settles.`,
      );
    }
    await recordLifecycleEvent(tx, row.id, "Retry", `Retry requested by ${user.username}`, {
      by: user.username,
      previousReason: row.statusReason,
      previousCluster: row.cluster?.name ?? null,
    });
    await enqueueOutbox(tx, messages.workloadRun, { workload_id: row.id, status: "deploy" });
    return tx.workloadInstance.findUniqueOrThrow({ where: { id: row.id }, select: instanceRowSelect });
  });
  log.info({ instance: row.id, release: row.releaseName, by: user.username }, "instance retry requested");
  return toInstanceView(updated, user);
}

/** What the change dialogs offer: the workload's other ACCEPTED versions and the objects that scale. */
export interface ChangeOptions {
  status: string;
  workload: { id: number; name: string; version: string };
  /** ACCEPTED versions of the same workload (same owner and name), the current one included, newest first. */
  versions: Array<{ id: number; version: string; current: boolean }>;
  /** The instance's Deployments and StatefulSets with their desired replicas (stored manifests). */
  scalable: Array<{ kind: "Deployment" | "StatefulSet"; name: string; desired: number }>;
  maxReplicas: number;
}

export async function instanceChangeOptions(deps: InstanceDeps, id: string): Promise<ChangeOptions> {
  const { db, user } = deps;
  assertServiceUser(user);
  const row = await loadScoped(db, user, id);
  const current = await db.workload.findUniqueOrThrow({
    where: { id: row.workloadId },
    select: { id: true, name: true, version: true, ownerId: true },
  });
  const versions = await db.workload.findMany({
    where: { ownerId: current.ownerId, name: current.name, status: "ACCEPTED" },
    select: { id: true, version: true },
    orderBy: { id: "desc" },
    take: 100,
  });
  return {
    status: row.status,
    workload: { id: current.id, name: current.name, version: current.version },
    versions: versions.map((v) => ({ ...v, current: v.id === current.id })),
    scalable: desiredWorkloadReplicas(parseRenderedManifests(storedManifests(row.manifests))),
    maxReplicas: MAX_HAND_REPLICAS,
  };
}
