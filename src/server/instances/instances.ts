import { randomBytes, randomUUID } from "node:crypto";
import type { Prisma } from "@/generated/prisma/client";
import { enqueueOutbox, messages } from "@/server/bus";
import { hasRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { driverFor, type DeploymentTree, type DriverFactory } from "@/server/clusters";
import type { Db } from "@/server/db";
import { DomainError, parseOrThrow } from "@/server/errors";
import { insertIntent, newIntentFromForm, unsupportedIntentMessage } from "@/server/intents";
import { logger } from "@/server/logger";
import {
  decidePlacement,
  explainPlacement,
  type ExplainedPlacementDecision,
  type PlacementDecision,
} from "@/server/placement";
import { renderWorkload, type ChartDeps } from "@/server/workloads";
import { recordLifecycleEvent } from "./lifecycle";
import { readTimeline, type TimelineEvent } from "./timeline";
import { moveInstance } from "./transitions";
import { renderedOrThrow } from "./render-result";
import {
  clusterCandidates,
  describePolicyViolations,
  namespacePolicyViolations,
  requestsOf,
} from "@/server/clusters";
import { intentTargets, parseRenderedManifests, placementRequestFor } from "./placement-input";
import { instanceReplicasFrom, totalDesiredReplicas, type InstanceReplicas } from "./replicas";
import { createInstanceInputSchema, type CreateInstanceInput } from "./schemas";
import { isUuid } from "@/common/ids";
import { isDeletable } from "@/common/instance-status";
import { systemClock, type Clock } from "@/common/clock";
import {
  sealInstanceSecrets,
  shownManifests,
  shownValuesOverride,
  storedManifests,
  type StoredManifest,
} from "./instance-secrets";

/**
 * Workload instances: render → RENDERED → (orchestrator) placement →
 * deploy → DEPLOYED; delete → DELETED. The console side lives here; the
 * orchestrator's side in orchestration.ts. Every status change writes a
 * lifecycle event in the same transaction.
 */
const log = logger.child({ module: "instances" });

export interface InstanceDeps {
  db: Db;
  user: SessionUser;
  driverFactory?: DriverFactory;
  renderer?: ChartDeps["renderer"];
  /** When a reveal of secrets is recorded in the audit log. */
  clock?: Clock;
}

/** How an answer shows the instance's secrets (values override, Secret manifests). */
export interface RevealOptions {
  /** The owner asks to see them in clear (audited); anyone else gets 403, the default is redacted. */
  revealSecrets?: boolean;
}

function seesAll(user: SessionUser): boolean {
  return hasRole(user.roles, Role.NEMO_ADMIN);
}

export function assertServiceUser(user: SessionUser): void {
  if (!hasRole(user.roles, Role.NEMO_ADMIN) && !hasRole(user.roles, Role.SERVICE_PROVIDER)) {
    throw new DomainError(
      "forbidden",
      "Only service providers and NEMO admins can manage workload instances.",
    );
  }
}

export function instanceScope(user: SessionUser): Prisma.WorkloadInstanceWhereInput {
  return seesAll(user) ? {} : { ownerId: user.id };
}

function newShortId(): string {
  return randomBytes(4).toString("hex").slice(0, 7);
}

export const instanceRowSelect = {
  id: true,
  ownerId: true,
  shortId: true,
  releaseName: true,
  workloadId: true,
  namespace: true,
  status: true,
  statusReason: true,
  proposedCluster: true,
  pinProposedCluster: true,
  valuesOverride: true,
  valuesOverrideCipher: true,
  includeCrds: true,
  isUpgrade: true,
  noHooks: true,
  replicas: true,
  createdAt: true,
  updatedAt: true,
  cluster: { select: { id: true, name: true } },
  workload: { select: { name: true, version: true } },
  owner: { select: { username: true } },
} satisfies Prisma.WorkloadInstanceSelect;

type InstanceRow = Prisma.WorkloadInstanceGetPayload<{ select: typeof instanceRowSelect }>;

/** An instance as answers show it: the values override redacted unless revealed. */
export type InstanceView = Omit<InstanceRow, "ownerId" | "valuesOverrideCipher"> & {
  /** Whether the caller may ask for the secrets in clear (the instance's owner). */
  canRevealSecrets: boolean;
};

/** Columns a loaded row may carry beyond the view's; never part of an answer. */
type LoadedExtras = Partial<Record<"manifests" | "manifestSecretsCipher" | "placement", unknown>>;

export function toInstanceView(
  row: InstanceRow & LoadedExtras,
  user: SessionUser,
  reveal = false,
): InstanceView {
  const {
    ownerId,
    valuesOverrideCipher: _cipher,
    manifests: _manifests,
    manifestSecretsCipher: _sealed,
    placement: _placement,
    ...view
  } = row;
  return {
    ...view,
    valuesOverride: shownValuesOverride(row, reveal),
    canRevealSecrets: ownerId === user.id,
  };
}

/**
 * Whether this answer may show the instance's secrets in clear: only when the
 * caller asked and owns the instance (an admin sees them redacted: running
 * the platform does not need a tenant's passwords). Each reveal is audited.
 */
async function revealAllowed(
  deps: InstanceDeps,
  instance: { id: string; ownerId: string; releaseName: string },
  what: "instance" | "manifests",
  options: RevealOptions,
): Promise<boolean> {
  if (options.revealSecrets !== true) return false;
  const { db, user } = deps;
  if (instance.ownerId !== user.id) {
    throw new DomainError(
      "forbidden",
      "Only the instance's owner can reveal its secrets; everyone else sees them redacted.",
      "revealSecrets",
    );
  }
  await db.auditEvent.create({
    data: {
      actorId: user.id,
      actorName: user.username,
      action: "instance.secrets.revealed",
      subjectType: "instance",
      subjectId: instance.id,
      detail: { releaseName: instance.releaseName, what },
      createdAt: new Date((deps.clock ?? systemClock)()),
    },
  });
  log.info({ instance: instance.id, what, by: user.username }, "instance secrets revealed to their owner");
  return true;
}

/**
 * Creates an instance of an ACCEPTED workload: renders its chart with the
 * form's options (a render error refuses the request, naming file and line),
 * then stores the instance RENDERED with its manifests, the intent from the
 * template, the "Rendered" event and the orchestrator's `run` message in one
 * transaction.
 */
/** An intent `createInstance` created from the template. */
export interface CreatedIntent {
  id: string;
  intentType: string;
}

export async function createInstance(
  deps: InstanceDeps,
  input: CreateInstanceInput,
): Promise<InstanceView & { intents: CreatedIntent[] }> {
  const { db, user } = deps;
  assertServiceUser(user);
  const data = parseOrThrow(createInstanceInputSchema, input);
  const workload = await db.workload.findFirst({
    where: { id: data.workloadId, ...(seesAll(user) ? {} : { ownerId: user.id }) },
    select: {
      id: true,
      name: true,
      version: true,
      status: true,
      clusterScopedApprovedAt: true,
      supportedIntents: true,
      archivedAt: true,
    },
  });
  if (!workload) throw new DomainError("not_found", `No workload ${data.workloadId}.`, "workloadId");
  if (workload.archivedAt !== null) {
    throw new DomainError(
      "conflict",
      `Workload ${workload.name} ${workload.version} is archived: unarchive it to create instances of it.`,
      "workloadId",
    );
  }
  if (workload.status !== "ACCEPTED") {
    throw new DomainError(
      "conflict",
      `Workload ${workload.name} ${workload.version} is not ACCEPTED yet: upload a valid chart first.`,
      "workloadId",
    );
  }
  // The intent template obeys the workload's Supported Intents as the intent form does.
  const unsupported = data.intent ? unsupportedIntentMessage(workload, data.intent.intentType) : null;
  if (unsupported) throw new DomainError("invalid", unsupported, "intent.intentType");
  if (data.clusterName) {
    const cluster = await db.cluster.findUnique({
      where: { name: data.clusterName },
      select: { status: true },
    });
    if (!cluster || cluster.status === "DEREGISTERED") {
      throw new DomainError("invalid", `No registered cluster named "${data.clusterName}".`, "clusterName");
    }
  }

  let shortId = newShortId();
  while (await db.workloadInstance.findUnique({ where: { shortId }, select: { id: true } }))
    shortId = newShortId();
  const namespace = `${data.releaseName}-${shortId}`;
  const rendered = renderedOrThrow(
    await renderWorkload({ db, user, ...(deps.renderer && { renderer: deps.renderer }) }, workload.id, {
      releaseName: data.releaseName,
      namespace,
      values: data.valuesOverride,
      includeCrds: data.includeCrds,
      isUpgrade: data.isUpgrade,
      noHooks: data.noHooks,
    }),
  );

  // Refused here, where the provider can still change the values, rather than failed later by the orchestrator.
  const objects = parseRenderedManifests(rendered.manifests);
  const violations = namespacePolicyViolations(objects, namespace, {
    allowClusterScoped: workload.clusterScopedApprovedAt !== null,
  });
  if (violations.length > 0) throw new DomainError("unprocessable", describePolicyViolations(violations));

  const intentId = data.intent ? randomUUID() : null;
  // Sealed before the transaction: the values and Secrets never reach the database in clear.
  const sealed = sealInstanceSecrets(data.valuesOverride || null, rendered.manifests);
  const instance = await db.$transaction(async (tx) => {
    const created = await tx.workloadInstance.create({
      data: {
        shortId,
        releaseName: data.releaseName,
        workloadId: workload.id,
        ownerId: user.id,
        proposedCluster: data.clusterName ?? null,
        // Without a proposal there is nothing to pin to.
        pinProposedCluster: data.clusterName !== undefined && data.pinProposedCluster,
        namespace,
        status: "RENDERED",
        valuesOverride: null,
        valuesOverrideCipher: sealed.valuesOverrideCipher,
        includeCrds: data.includeCrds,
        isUpgrade: data.isUpgrade,
        noHooks: data.noHooks,
        manifests: sealed.manifests as unknown as Prisma.InputJsonArray,
        manifestSecretsCipher: sealed.manifestSecretsCipher,
        // Desired replicas of its Deployments and StatefulSets: lists show it without reading any cluster.
        replicas: totalDesiredReplicas(objects),
      },
      select: instanceRowSelect,
    });
    await recordLifecycleEvent(
      tx,
      created.id,
      "Rendered",
      `Rendered ${rendered.manifests.length} manifest(s) from ${rendered.chartName} ${rendered.chartVersion}`,
      {
        chart: rendered.chartName,
        chartVersion: rendered.chartVersion,
        manifests: rendered.manifests.length,
      },
    );
    if (intentId && data.intent) {
      // The template becomes an intent exactly as one from the intent form would.
      await insertIntent(tx, newIntentFromForm({ id: created.id, ownerId: user.id }, data.intent, intentId));
    }
    await enqueueOutbox(tx, messages.workloadRun, { workload_id: created.id, status: "deploy" });
    return created;
  });
  log.info(
    { instance: instance.id, release: instance.releaseName, workload: workload.id, intent: intentId },
    "instance rendered; deployment requested",
  );
  const intents = intentId && data.intent ? [{ id: intentId, intentType: data.intent.intentType }] : [];
  return { ...toInstanceView(instance, user), intents };
}

export async function loadScoped(db: Db, user: SessionUser, id: string) {
  // Ids arrive from URLs: anything that is not a UUID cannot name an instance (and the uuid column would reject it).
  if (typeof id !== "string" || !isUuid(id)) throw new DomainError("not_found", "No such workload instance.");
  const instance = await db.workloadInstance.findFirst({
    where: { id, ...instanceScope(user) },
    select: { ...instanceRowSelect, placement: true, manifests: true, manifestSecretsCipher: true },
  });
  if (!instance) throw new DomainError("not_found", "No such workload instance.");
  return instance;
}

/** The instance (values override redacted unless its owner asks with `revealSecrets`) and its placement. */
export async function getInstance(deps: InstanceDeps, id: string, options: RevealOptions = {}) {
  assertServiceUser(deps.user);
  const row = await loadScoped(deps.db, deps.user, id);
  const reveal = await revealAllowed(deps, row, "instance", options);
  return { ...toInstanceView(row, deps.user, reveal), placement: row.placement };
}

/**
 * Desired (from the stored manifests) and ready (from the cluster, only while
 * DEPLOYED) replicas of the instance's Deployments and StatefulSets.
 */
async function replicasOf(
  deps: InstanceDeps,
  row: Awaited<ReturnType<typeof loadScoped>>,
): Promise<InstanceReplicas> {
  const manifests = parseRenderedManifests(storedManifests(row.manifests));
  let tree: DeploymentTree | null = null;
  if (row.cluster && row.status === "DEPLOYED") {
    try {
      const cluster = await deps.db.cluster.findUniqueOrThrow({ where: { id: row.cluster.id } });
      tree = await driverFor(deps.db, cluster, deps.driverFactory).deploymentTree(row.namespace);
    } catch (error) {
      // The instance is still answered; ready stays unknown (null) rather than failing the read.
      log.warn({ err: error, instance: row.id }, "instance replicas: live state not read");
    }
  }
  return instanceReplicasFrom(manifests, tree);
}

/**
 * The REST instance object: `getInstance` plus the ready replicas read from
 * its cluster (`readyReplicas`) and each workload's counts. One instance at a
 * time: lists show no replicas and never call a cluster.
 */
export async function getInstanceWithReplicas(deps: InstanceDeps, id: string, options: RevealOptions = {}) {
  assertServiceUser(deps.user);
  const row = await loadScoped(deps.db, deps.user, id);
  const reveal = await revealAllowed(deps, row, "instance", options);
  const { ready, workloads } = await replicasOf(deps, row);
  return {
    ...toInstanceView(row, deps.user, reveal),
    placement: row.placement,
    readyReplicas: ready,
    workloadReplicas: workloads,
  };
}

/** Asks the orchestrator to remove the instance from its cluster; DELETED when it has. */
export async function deleteInstance(deps: InstanceDeps, id: string): Promise<InstanceView> {
  const { db, user } = deps;
  assertServiceUser(user);
  const instance = await loadScoped(db, user, id);
  if (instance.status === "DELETED" || instance.status === "DELETING") return toInstanceView(instance, user);
  if (!isDeletable(instance.status)) {
    throw new DomainError(
      "conflict",
      `Instance ${instance.releaseName} is ${instance.status}; try again when it settles.`,
    );
  }
  const updated = await db.$transaction(async (tx) => {
    // Only from the status just read: a deploy that started meanwhile is not overwritten.
    if (!(await moveInstance(tx, id, instance.status, "DELETING", { statusReason: null })))
      throw new DomainError(
        "conflict",
        `Instance ${instance.releaseName} changed while it was being deleted; try again when it settles.`,
      );
    const row = await tx.workloadInstance.findUniqueOrThrow({ where: { id }, select: instanceRowSelect });
    await recordLifecycleEvent(tx, id, "Deletion requested", `Deletion requested by ${user.username}`);
    await enqueueOutbox(tx, messages.workloadRun, { workload_id: id, status: "delete" });
    return row;
  });
  log.info({ instance: id, by: user.username }, "instance deletion requested");
  return toInstanceView(updated, user);
}

export async function instanceTimeline(deps: InstanceDeps, id: string): Promise<TimelineEvent[]> {
  assertServiceUser(deps.user);
  // One hand-written statement (timeline.ts): the scope check and the events, no manifests or placement.
  return readTimeline(deps.db, deps.user, id);
}

/** The rendered manifests; a Secret's data / stringData values read `<redacted>` unless its owner asks with `revealSecrets`. */
export async function instanceManifests(
  deps: InstanceDeps,
  id: string,
  options: RevealOptions = {},
): Promise<StoredManifest[]> {
  assertServiceUser(deps.user);
  const instance = await loadScoped(deps.db, deps.user, id);
  const reveal = await revealAllowed(deps, instance, "manifests", options);
  return shownManifests(instance, reveal);
}

/** The stored placement explanation ("why this cluster?"), each prioritizer with its one-line explanation. */
export async function instancePlacement(
  deps: InstanceDeps,
  id: string,
): Promise<ExplainedPlacementDecision | null> {
  assertServiceUser(deps.user);
  const instance = await loadScoped(deps.db, deps.user, id);
  const decision = (instance.placement as { decision?: PlacementDecision } | null)?.decision;
  return decision ? explainPlacement(decision) : null;
}

/** "Where would this go?" without deploying: the same decision the orchestrator would make now. */
export async function dryRunPlacement(deps: InstanceDeps, id: string): Promise<ExplainedPlacementDecision> {
  assertServiceUser(deps.user);
  const instance = await loadScoped(deps.db, deps.user, id);
  const intents = await deps.db.intent.findMany({
    where: { instanceId: id, adminState: "ACTIVATED", deletedAt: null },
    select: { intentType: true, body: true },
  });
  // Requests do not depend on Secret values: the redacted manifests do, no seal opened.
  const manifests = parseRenderedManifests(storedManifests(instance.manifests));
  const request = placementRequestFor(instance, requestsOf(manifests), intentTargets(intents));
  return explainPlacement(
    decidePlacement(await clusterCandidates(deps.db), {
      ...request,
      ...(instance.cluster ? { currentCluster: instance.cluster.name } : {}),
    }),
  );
}

/** The live Deployment → ReplicaSet → Pod tree of an instance, from its cluster's driver. */
export async function instanceDeploymentTree(deps: InstanceDeps, id: string): Promise<DeploymentTree | null> {
  assertServiceUser(deps.user);
  const instance = await loadScoped(deps.db, deps.user, id);
  if (!instance.cluster || instance.status === "DELETED") return null;
  const cluster = await deps.db.cluster.findUniqueOrThrow({ where: { id: instance.cluster.id } });
  return driverFor(deps.db, cluster, deps.driverFactory).deploymentTree(instance.namespace);
}
