import { randomBytes, randomUUID } from "node:crypto";
import type { Prisma } from "@/generated/prisma/client";
import { enqueueOutbox, messages } from "@/server/bus";
import { hasRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { driverFor, type DeploymentTree, type DriverFactory } from "@/server/clusters";
import type { Db } from "@/server/db";
import { DomainError, parseOrThrow } from "@/server/errors";
import { insertIntent, newIntentFromForm } from "@/server/intents";
import { logger } from "@/server/logger";
import { decidePlacement, type PlacementDecision } from "@/server/placement";
import { renderWorkload, type ChartDeps } from "@/server/workloads";
import { recordLifecycleEvent } from "./lifecycle";
import { moveInstance } from "./transitions";
import {
  clusterCandidates,
  describePolicyViolations,
  namespacePolicyViolations,
  requestsOf,
} from "@/server/clusters";
import { intentTargets, parseRenderedManifests, placementRequestFor } from "./placement-input";
import { createInstanceInputSchema, type CreateInstanceInput } from "./schemas";
import { isUuid } from "@/common/ids";
import { isDeletable } from "@/common/instance-status";

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
}

function seesAll(user: SessionUser): boolean {
  return hasRole(user.roles, Role.NEMO_ADMIN);
}

function assertServiceUser(user: SessionUser): void {
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

export const instanceViewSelect = {
  id: true,
  shortId: true,
  releaseName: true,
  workloadId: true,
  namespace: true,
  status: true,
  statusReason: true,
  proposedCluster: true,
  valuesOverride: true,
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

export type InstanceView = Prisma.WorkloadInstanceGetPayload<{ select: typeof instanceViewSelect }>;

/**
 * Creates an instance of an ACCEPTED workload: renders its chart with the
 * form's options (a render error refuses the request, naming file and line),
 * then stores the instance RENDERED with its manifests, the intent from the
 * template, the "Rendered" event and the orchestrator's `run` message in one
 * transaction.
 */
export async function createInstance(deps: InstanceDeps, input: CreateInstanceInput): Promise<InstanceView> {
  const { db, user } = deps;
  assertServiceUser(user);
  const data = parseOrThrow(createInstanceInputSchema, input);
  const workload = await db.workload.findFirst({
    where: { id: data.workloadId, ...(seesAll(user) ? {} : { ownerId: user.id }) },
    select: { id: true, name: true, version: true, status: true, clusterScopedApprovedAt: true },
  });
  if (!workload) throw new DomainError("not_found", `No workload ${data.workloadId}.`, "workloadId");
  if (workload.status !== "ACCEPTED") {
    throw new DomainError(
      "conflict",
      `Workload ${workload.name} ${workload.version} is not ACCEPTED yet: upload a valid chart first.`,
      "workloadId",
    );
  }
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
  const rendered = await renderWorkload(
    { db, user, ...(deps.renderer && { renderer: deps.renderer }) },
    workload.id,
    {
      releaseName: data.releaseName,
      namespace,
      values: data.valuesOverride,
      includeCrds: data.includeCrds,
      isUpgrade: data.isUpgrade,
      noHooks: data.noHooks,
    },
  );
  if (!rendered.ok) {
    const first = rendered.errors[0];
    const where = first?.file ? ` (${first.file}${first.line ? `:${first.line}` : ""})` : "";
    throw new DomainError(
      "unprocessable",
      `The chart does not render with these options${where}: ${first?.message ?? "unknown error"}`,
      first?.field === "values" ? "valuesOverride" : undefined,
      rendered.errors,
    );
  }

  // Refused here, where the provider can still change the values, rather than failed later by the orchestrator.
  const violations = namespacePolicyViolations(parseRenderedManifests(rendered.manifests), namespace, {
    allowClusterScoped: workload.clusterScopedApprovedAt !== null,
  });
  if (violations.length > 0) throw new DomainError("unprocessable", describePolicyViolations(violations));

  const intentId = data.intent ? randomUUID() : null;
  const instance = await db.$transaction(async (tx) => {
    const created = await tx.workloadInstance.create({
      data: {
        shortId,
        releaseName: data.releaseName,
        workloadId: workload.id,
        ownerId: user.id,
        proposedCluster: data.clusterName ?? null,
        namespace,
        status: "RENDERED",
        valuesOverride: data.valuesOverride || null,
        includeCrds: data.includeCrds,
        isUpgrade: data.isUpgrade,
        noHooks: data.noHooks,
        manifests: rendered.manifests,
      },
      select: instanceViewSelect,
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
  return instance;
}

async function loadScoped(db: Db, user: SessionUser, id: string) {
  // Ids arrive from URLs: anything that is not a UUID cannot name an instance (and the uuid column would reject it).
  if (typeof id !== "string" || !isUuid(id)) throw new DomainError("not_found", "No such workload instance.");
  const instance = await db.workloadInstance.findFirst({
    where: { id, ...instanceScope(user) },
    select: { ...instanceViewSelect, placement: true, manifests: true },
  });
  if (!instance) throw new DomainError("not_found", "No such workload instance.");
  return instance;
}

export async function getInstance(deps: InstanceDeps, id: string) {
  assertServiceUser(deps.user);
  const { manifests: _manifests, ...instance } = await loadScoped(deps.db, deps.user, id);
  return instance;
}

/** Asks the orchestrator to remove the instance from its cluster; DELETED when it has. */
export async function deleteInstance(deps: InstanceDeps, id: string): Promise<InstanceView> {
  const { db, user } = deps;
  assertServiceUser(user);
  const instance = await loadScoped(db, user, id);
  if (instance.status === "DELETED" || instance.status === "DELETING") return instance;
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
    const row = await tx.workloadInstance.findUniqueOrThrow({ where: { id }, select: instanceViewSelect });
    await recordLifecycleEvent(tx, id, "Deletion requested", `Deletion requested by ${user.username}`);
    await enqueueOutbox(tx, messages.workloadRun, { workload_id: id, status: "delete" });
    return row;
  });
  log.info({ instance: id, by: user.username }, "instance deletion requested");
  return updated;
}

export async function instanceTimeline(deps: InstanceDeps, id: string) {
  assertServiceUser(deps.user);
  await loadScoped(deps.db, deps.user, id);
  return deps.db.lifecycleEvent.findMany({
    where: { instanceId: id },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    select: { id: true, type: true, message: true, detail: true, occurredAt: true },
  });
}

export async function instanceManifests(deps: InstanceDeps, id: string) {
  assertServiceUser(deps.user);
  const instance = await loadScoped(deps.db, deps.user, id);
  return (instance.manifests ?? []) as Array<{ source: string; kind: string; name: string; content: string }>;
}

/** The stored placement explanation ("why this cluster?"). */
export async function instancePlacement(deps: InstanceDeps, id: string): Promise<PlacementDecision | null> {
  assertServiceUser(deps.user);
  const instance = await loadScoped(deps.db, deps.user, id);
  return (instance.placement as { decision?: PlacementDecision } | null)?.decision ?? null;
}

/** "Where would this go?" without deploying: the same decision the orchestrator would make now. */
export async function dryRunPlacement(deps: InstanceDeps, id: string): Promise<PlacementDecision> {
  assertServiceUser(deps.user);
  const instance = await loadScoped(deps.db, deps.user, id);
  const intents = await deps.db.intent.findMany({
    where: { instanceId: id, adminState: "ACTIVATED", deletedAt: null },
    select: { intentType: true, body: true },
  });
  const manifests = parseRenderedManifests((instance.manifests ?? []) as Array<{ content: string }>);
  const request = placementRequestFor(instance, requestsOf(manifests), intentTargets(intents));
  return decidePlacement(await clusterCandidates(deps.db), {
    ...request,
    ...(instance.cluster ? { currentCluster: instance.cluster.name } : {}),
  });
}

/** The live Deployment → ReplicaSet → Pod tree of an instance, from its cluster's driver. */
export async function instanceDeploymentTree(deps: InstanceDeps, id: string): Promise<DeploymentTree | null> {
  assertServiceUser(deps.user);
  const instance = await loadScoped(deps.db, deps.user, id);
  if (!instance.cluster || instance.status === "DELETED") return null;
  const cluster = await deps.db.cluster.findUniqueOrThrow({ where: { id: instance.cluster.id } });
  return driverFor(deps.db, cluster, deps.driverFactory).deploymentTree(instance.namespace);
}
