/**
 * The workload registry: register a name + version, change it while it is
 * PENDING, delete it while it is PENDING, list and read what the caller may
 * see. Rules that hold for every caller (tRPC, REST, workers) live here:
 *
 * - name + version is unique per tenant (a clash names the field); another
 *   tenant's workloads never clash, so a conflict reveals nothing about them;
 * - an ACCEPTED workload is immutable: any change is a new version, and it
 *   cannot be deleted (instances may run it);
 * - role and ownership are checked on every call (see access.ts).
 */
import { Prisma } from "@/generated/prisma/client";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { DomainError, parseOrThrow, type Problem } from "@/server/errors";
import { type ListPage } from "@/common/pagination";
import { asInteger, pageWindow } from "@/server/db";
import { logger } from "@/server/logger";
import { assertMayManageWorkloads, workloadNotFound, workloadScope } from "./access";
import {
  workloadCreateSchema,
  workloadIdSchema,
  workloadListInput,
  workloadPatchSchema,
  type ChartSummary,
  type WorkloadCreateInput,
  type WorkloadListInput,
  type WorkloadPatchInput,
  type WorkloadRow,
  type WorkloadView,
} from "./schemas";

export interface WorkloadDeps {
  db: Db;
  user: SessionUser;
}

/** Every column of a workload view except the archive bytes (which can be megabytes). */
export const workloadViewSelect = {
  id: true,
  name: true,
  version: true,
  status: true,
  supportedIntents: true,
  ingressSupport: true,
  clusterScopedApprovedAt: true,
  archivedAt: true,
  ownerId: true,
  createdAt: true,
  updatedAt: true,
  owner: { select: { username: true } },
  chart: {
    select: {
      chartName: true,
      chartVersion: true,
      archiveSha256: true,
      sizeBytes: true,
      valid: true,
      validationErrors: true,
      uploadedAt: true,
    },
  },
} satisfies Prisma.WorkloadSelect;

type WorkloadViewRow = Prisma.WorkloadGetPayload<{ select: typeof workloadViewSelect }>;

/** Stored validation errors are JSON; anything not shaped like a problem is shown as text. */
export function problemsFromJson(value: unknown): Problem[] {
  if (!Array.isArray(value)) return [];
  return value.map((item): Problem => {
    if (
      typeof item === "object" &&
      item !== null &&
      typeof (item as { message?: unknown }).message === "string"
    ) {
      const p = item as Record<string, unknown>;
      return {
        message: p.message as string,
        ...(typeof p.field === "string" ? { field: p.field } : {}),
        ...(typeof p.file === "string" ? { file: p.file } : {}),
        ...(typeof p.line === "number" ? { line: p.line } : {}),
      };
    }
    return { message: String(item) };
  });
}

export function toWorkloadView(row: WorkloadViewRow): WorkloadView {
  const chart: ChartSummary | null = row.chart
    ? {
        chartName: row.chart.chartName,
        chartVersion: row.chart.chartVersion,
        sha256: row.chart.archiveSha256,
        sizeBytes: row.chart.sizeBytes,
        valid: row.chart.valid,
        errors: problemsFromJson(row.chart.validationErrors),
        uploadedAt: row.chart.uploadedAt.toISOString(),
      }
    : null;
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    status: row.status,
    supportedIntents: row.supportedIntents,
    ingressSupport: row.ingressSupport,
    clusterScopedApprovedAt: row.clusterScopedApprovedAt?.toISOString() ?? null,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    ownerId: row.ownerId,
    user: row.owner.username,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    chart,
  };
}

function duplicate(name: string, version: string): DomainError {
  return new DomainError(
    "conflict",
    `A workload named ${name} with version ${version} already exists.`,
    "version",
  );
}

export function immutable(id: number, change: string): DomainError {
  return new DomainError(
    "conflict",
    `Workload ${id} is ACCEPTED and cannot be ${change}: an accepted workload is immutable, so any change is a new version.`,
  );
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/** The pair is free among `ownerId`'s workloads (the tenant the workload belongs to, not necessarily the caller). */
async function assertPairFree(
  db: Db,
  ownerId: string,
  name: string,
  version: string,
  exceptId?: number,
): Promise<void> {
  const clash = await db.workload.findFirst({
    where: { ownerId, name, version, ...(exceptId !== undefined ? { NOT: { id: exceptId } } : {}) },
    select: { id: true },
  });
  if (clash) throw duplicate(name, version);
}

export function parseWorkloadId(id: unknown): number {
  return parseOrThrow(workloadIdSchema, id, "id");
}

/** Registered workloads, one page: a service provider's own, or all for an admin. */
export async function listWorkloads(
  deps: WorkloadDeps,
  input: WorkloadListInput,
): Promise<ListPage<WorkloadRow>> {
  const { db, user } = deps;
  assertMayManageWorkloads(user);
  const query = parseOrThrow(workloadListInput, input);
  const id = asInteger(query.search);
  const where: Prisma.WorkloadWhereInput = {
    ...workloadScope(user),
    ...(query.showInactive ? {} : { archivedAt: null }),
    ...(query.search
      ? {
          OR: [
            { name: { contains: query.search, mode: "insensitive" } },
            { version: { contains: query.search, mode: "insensitive" } },
            { owner: { username: { contains: query.search, mode: "insensitive" } } },
            ...(id !== undefined ? [{ id }] : []),
          ],
        }
      : {}),
  };
  const dir = query.direction;
  const orderBy: Prisma.WorkloadOrderByWithRelationInput[] = [
    query.sort === "user" ? { owner: { username: dir } } : { [query.sort]: dir },
    { id: dir },
  ];
  const [total, rows] = await db.$transaction([
    db.workload.count({ where }),
    db.workload.findMany({
      where,
      orderBy,
      ...pageWindow(query),
      select: {
        id: true,
        name: true,
        version: true,
        status: true,
        ingressSupport: true,
        supportedIntents: true,
        clusterScopedApprovedAt: true,
        archivedAt: true,
        owner: { select: { username: true } },
        chart: { select: { id: true } },
      },
    }),
  ]);
  return {
    items: rows.map(({ owner, chart, clusterScopedApprovedAt, archivedAt, ...row }) => ({
      ...row,
      archivedAt: archivedAt?.toISOString() ?? null,
      user: owner.username,
      hasChart: chart !== null,
      clusterScopedApproved: clusterScopedApprovedAt !== null,
    })),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

export async function getWorkload(deps: WorkloadDeps, id: unknown): Promise<WorkloadView> {
  const { db, user } = deps;
  assertMayManageWorkloads(user);
  const workloadId = parseWorkloadId(id);
  const row = await db.workload.findFirst({
    where: { id: workloadId, ...workloadScope(user) },
    select: workloadViewSelect,
  });
  if (!row) throw workloadNotFound(workloadId);
  return toWorkloadView(row);
}

/** Registers a workload as PENDING, owned by the caller. */
export async function createWorkload(deps: WorkloadDeps, input: WorkloadCreateInput): Promise<WorkloadView> {
  const { db, user } = deps;
  assertMayManageWorkloads(user);
  const data = parseOrThrow(workloadCreateSchema, input);
  await assertPairFree(db, user.id, data.name, data.version);
  try {
    const row = await db.workload.create({
      data: {
        name: data.name,
        version: data.version,
        supportedIntents: data.supportedIntents,
        ingressSupport: data.ingressSupport,
        ownerId: user.id,
      },
      select: workloadViewSelect,
    });
    return toWorkloadView(row);
  } catch (error) {
    // Two registrations of the same pair at once: the unique index decides, the message is the same.
    if (isUniqueViolation(error)) throw duplicate(data.name, data.version);
    throw error;
  }
}

/**
 * Applies a change to a PENDING workload. The status condition is part of
 * the UPDATE, so a chart upload accepting the workload at the same moment
 * cannot be overtaken by a change.
 */
async function changePending(
  deps: WorkloadDeps,
  workloadId: number,
  change: { name?: string; version?: string; supportedIntents?: string[]; ingressSupport?: boolean },
): Promise<WorkloadView> {
  const { db, user } = deps;
  const current = await db.workload.findFirst({
    where: { id: workloadId, ...workloadScope(user) },
    select: { id: true, ownerId: true, name: true, version: true, status: true },
  });
  if (!current) throw workloadNotFound(workloadId);
  if (current.status === "ACCEPTED") throw immutable(workloadId, "changed");
  const name = change.name ?? current.name;
  const version = change.version ?? current.version;
  if (name !== current.name || version !== current.version)
    await assertPairFree(db, current.ownerId, name, version, workloadId);
  try {
    const updated = await db.workload.updateMany({
      where: { id: workloadId, status: "PENDING" },
      data: change,
    });
    if (updated.count === 0) throw immutable(workloadId, "changed");
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate(name, version);
    throw error;
  }
  return getWorkload(deps, workloadId);
}

/** PUT: replaces every field (omitted optional fields take their defaults). */
export async function replaceWorkload(
  deps: WorkloadDeps,
  id: unknown,
  input: WorkloadCreateInput,
): Promise<WorkloadView> {
  assertMayManageWorkloads(deps.user);
  const workloadId = parseWorkloadId(id);
  const data = parseOrThrow(workloadCreateSchema, input);
  return changePending(deps, workloadId, data);
}

/** PATCH: changes the given fields only. */
export async function patchWorkload(
  deps: WorkloadDeps,
  id: unknown,
  input: WorkloadPatchInput,
): Promise<WorkloadView> {
  assertMayManageWorkloads(deps.user);
  const workloadId = parseWorkloadId(id);
  const data = parseOrThrow(workloadPatchSchema, input);
  const change = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
  return changePending(deps, workloadId, change);
}

/** Deletes a PENDING workload and its chart; an ACCEPTED one stays (409). */
export async function deleteWorkload(deps: WorkloadDeps, id: unknown): Promise<{ id: number }> {
  const { db, user } = deps;
  assertMayManageWorkloads(user);
  const workloadId = parseWorkloadId(id);
  const current = await db.workload.findFirst({
    where: { id: workloadId, ...workloadScope(user) },
    select: { status: true },
  });
  if (!current) throw workloadNotFound(workloadId);
  if (current.status === "ACCEPTED") {
    throw new DomainError(
      "conflict",
      `Workload ${workloadId} is ACCEPTED and cannot be deleted: instances may depend on an accepted workload.`,
    );
  }
  const deleted = await db.workload.deleteMany({ where: { id: workloadId, status: "PENDING" } });
  if (deleted.count === 0) {
    throw new DomainError("conflict", `Workload ${workloadId} was accepted meanwhile and cannot be deleted.`);
  }
  return { id: workloadId };
}

/**
 * Archives an ACCEPTED workload with no live instance (every instance of it
 * DELETED): it is listed as inactive and takes no new instances (409) until
 * unarchived. Its owner or an admin; another tenant's workload is not found.
 */
export async function archiveWorkload(deps: WorkloadDeps, id: unknown): Promise<WorkloadView> {
  return setArchived(deps, id, true);
}

/** Unarchives a workload: it is listed and takes instances again. */
export async function unarchiveWorkload(deps: WorkloadDeps, id: unknown): Promise<WorkloadView> {
  return setArchived(deps, id, false);
}

async function setArchived(deps: WorkloadDeps, id: unknown, archived: boolean): Promise<WorkloadView> {
  const { db, user } = deps;
  assertMayManageWorkloads(user);
  const workloadId = parseWorkloadId(id);
  const current = await db.workload.findFirst({
    where: { id: workloadId, ...workloadScope(user) },
    select: { id: true, name: true, version: true, status: true, archivedAt: true },
  });
  if (!current) throw workloadNotFound(workloadId);
  const label = `Workload ${current.name} ${current.version}`;
  if (archived) {
    if (current.status !== "ACCEPTED")
      throw new DomainError(
        "conflict",
        `${label} is PENDING: only an accepted workload is archived; a pending one can be deleted.`,
      );
    if (current.archivedAt === null) {
      // The check and the mark in one statement: an instance created meanwhile keeps it unarchived.
      const changed = await db.$executeRaw`
        UPDATE workloads SET archived_at = now(), updated_at = now()
         WHERE id = ${workloadId} AND archived_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM workload_instances i
                            WHERE i.workload_id = ${workloadId} AND i.status <> 'DELETED')`;
      if (changed === 0) {
        const live = await db.workloadInstance.count({
          where: { workloadId, status: { not: "DELETED" } },
        });
        if (live > 0)
          throw new DomainError(
            "conflict",
            `${label} still has ${live} instance(s) that are not deleted: delete them before archiving it.`,
          );
      }
      logger.info({ workload: workloadId, by: user.username }, `${label} archived`);
    }
  } else if (current.archivedAt !== null) {
    await db.workload.update({ where: { id: workloadId }, data: { archivedAt: null } });
    logger.info({ workload: workloadId, by: user.username }, `${label} unarchived`);
  }
  return getWorkload(deps, workloadId);
}
