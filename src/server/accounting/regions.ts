import type { Prisma } from "@/generated/prisma/client";
import { type Clock, systemClock } from "@/common/clock";
import { DEFAULT_REGION } from "@/common/cluster-registration";
import { regionCreateSchema, regionDataSchema, regionNameSchema } from "@/common/accounting-pricing";
import { ALL_ROLES, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { DomainError, parseOrThrow } from "@/server/errors";
import { type Logger, logger as rootLogger } from "@/server/logger";
import { roleGuard } from "@/server/role-guards";
import type { RegionPricing } from "./rules";

/**
 * The region table (MOCA pricing data). Every signed-in role reads it (it
 * prices their bills); only admins write it, each write audited. A region
 * some cluster names but that has no row is listed too, as "no data": its
 * instances cannot be billed ("Data for region must be set") until an admin
 * sets it.
 */

export interface AccountingDeps {
  db: Db;
  user: SessionUser;
  clock?: Clock;
  log?: Logger;
}

/** A region as the console and REST show it; amounts in units as decimal strings. */
export interface RegionView {
  name: string;
  /** False for a region clusters name without pricing data. */
  hasData: boolean;
  highDemand: boolean | null;
  highDemandCost: string | null;
  regionalCpuCosts: string | null;
  regionalMemoryCosts: string | null;
  regionalGpuCosts: string | null;
  /** Registered clusters (not deregistered) in the region. */
  clusters: number;
  updatedAt: Date | null;
  updatedBy: string | null;
}

/** At most this many regions: the table is read whole by billing and the console. */
export const MAX_REGIONS = 500;

type RegionRow = Prisma.RegionGetPayload<object>;

const requireReader = roleGuard(ALL_ROLES, "Region data is shown to the console's roles only.");
const requireAdmin = roleGuard([Role.NEMO_ADMIN], "Only a NEMO admin can change regions.");

function view(name: string, row: RegionRow | null, clusters: number): RegionView {
  return {
    name,
    hasData: row !== null,
    highDemand: row?.highDemand ?? null,
    highDemandCost: row?.highDemandCost.toString() ?? null,
    regionalCpuCosts: row?.regionalCpuCosts.toString() ?? null,
    regionalMemoryCosts: row?.regionalMemoryCosts.toString() ?? null,
    regionalGpuCosts: row?.regionalGpuCosts.toString() ?? null,
    clusters,
    updatedAt: row?.updatedAt ?? null,
    updatedBy: row?.updatedBy ?? null,
  };
}

async function clusterCounts(db: Db | Prisma.TransactionClient, name?: string): Promise<Map<string, number>> {
  const groups = await db.cluster.groupBy({
    by: ["region"],
    where: { status: { not: "DEREGISTERED" }, ...(name === undefined ? {} : { region: name }) },
    _count: { _all: true },
  });
  return new Map(groups.map((g) => [g.region, g._count._all]));
}

/** Every region with data, and every region clusters use without data, by name. */
export async function listRegions(deps: AccountingDeps): Promise<RegionView[]> {
  requireReader(deps.user);
  const [rows, counts] = await Promise.all([
    deps.db.region.findMany({ orderBy: { name: "asc" }, take: MAX_REGIONS }),
    clusterCounts(deps.db),
  ]);
  const byName = new Map(rows.map((row) => [row.name, row]));
  const names = new Set([...byName.keys(), ...counts.keys()]);
  return [...names]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => view(name, byName.get(name) ?? null, counts.get(name) ?? 0));
}

/** One region; 404 when it has neither data nor clusters. */
export async function getRegion(deps: AccountingDeps, name: unknown): Promise<RegionView> {
  requireReader(deps.user);
  const key = parseOrThrow(regionNameSchema, name, "name");
  const [row, counts] = await Promise.all([
    deps.db.region.findUnique({ where: { name: key } }),
    clusterCounts(deps.db, key),
  ]);
  const clusters = counts.get(key) ?? 0;
  if (!row && clusters === 0) throw notFound(key);
  return view(key, row, clusters);
}

function notFound(name: string): DomainError {
  return new DomainError("not_found", `No region named "${name}".`, "name");
}

function auditData(data: {
  highDemand: boolean;
  highDemandCost: bigint;
  regionalCpuCosts: bigint;
  regionalMemoryCosts: bigint;
  regionalGpuCosts: bigint;
}): Prisma.InputJsonObject {
  return {
    highDemand: data.highDemand,
    highDemandCost: data.highDemandCost.toString(),
    regionalCpuCosts: data.regionalCpuCosts.toString(),
    regionalMemoryCosts: data.regionalMemoryCosts.toString(),
    regionalGpuCosts: data.regionalGpuCosts.toString(),
  };
}

/** An admin's change to the pricing tables (regions, settings), audited in the change's transaction. */
export async function auditAccountingChange(
  tx: Prisma.TransactionClient,
  deps: AccountingDeps,
  subject: { type: "region" | "accounting-settings"; id: string },
  action: string,
  detail: Prisma.InputJsonObject,
  now: Date,
): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actorId: deps.user.id,
      actorName: deps.user.username,
      action,
      subjectType: subject.type,
      subjectId: subject.id,
      detail,
      createdAt: now,
    },
  });
}

const log = (deps: AccountingDeps) => (deps.log ?? rootLogger).child({ module: "accounting-regions" });

/** Creates a region with its data (admin); 409 when it already has data. */
export async function createRegion(deps: AccountingDeps, input: unknown): Promise<RegionView> {
  requireAdmin(deps.user);
  const data = parseOrThrow(regionCreateSchema, input);
  const now = new Date((deps.clock ?? systemClock)());
  const row = await deps.db.$transaction(async (tx) => {
    if (await tx.region.findUnique({ where: { name: data.name }, select: { name: true } })) {
      throw new DomainError("conflict", `Region "${data.name}" already exists.`, "name");
    }
    if ((await tx.region.count()) >= MAX_REGIONS) {
      throw new DomainError("conflict", `There are already ${MAX_REGIONS} regions, the most kept.`, "name");
    }
    const created = await tx.region.create({
      data: { ...data, updatedAt: now, updatedBy: deps.user.username },
    });
    await auditAccountingChange(
      tx,
      deps,
      { type: "region", id: data.name },
      "region.created",
      { after: auditData(created) },
      now,
    );
    return created;
  });
  log(deps).info({ region: row.name, by: deps.user.username }, "region created");
  return view(row.name, row, (await clusterCounts(deps.db, row.name)).get(row.name) ?? 0);
}

/**
 * Sets a region's data (admin): replaces it, or creates it for a region
 * clusters already name ("set the missing data"). Audited with before/after.
 */
export async function updateRegion(deps: AccountingDeps, name: unknown, input: unknown): Promise<RegionView> {
  requireAdmin(deps.user);
  const key = parseOrThrow(regionNameSchema, name, "name");
  const data = parseOrThrow(regionDataSchema, input);
  const now = new Date((deps.clock ?? systemClock)());
  const row = await deps.db.$transaction(async (tx) => {
    const before = await tx.region.findUnique({ where: { name: key } });
    if (!before) {
      const used = (await clusterCounts(tx, key)).get(key) ?? 0;
      if (used === 0) throw notFound(key);
      if ((await tx.region.count()) >= MAX_REGIONS) {
        throw new DomainError("conflict", `There are already ${MAX_REGIONS} regions, the most kept.`, "name");
      }
    }
    const saved = await tx.region.upsert({
      where: { name: key },
      create: { name: key, ...data, updatedAt: now, updatedBy: deps.user.username },
      update: { ...data, updatedAt: now, updatedBy: deps.user.username },
    });
    await auditAccountingChange(
      tx,
      deps,
      { type: "region", id: key },
      "region.updated",
      { before: before ? auditData(before) : null, after: auditData(saved) },
      now,
    );
    return saved;
  });
  log(deps).info({ region: key, by: deps.user.username }, "region data set");
  return view(key, row, (await clusterCounts(deps.db, key)).get(key) ?? 0);
}

/** Deletes a region's data (admin); refused while a registered cluster is in it, and for "default". */
export async function deleteRegion(
  deps: AccountingDeps,
  name: unknown,
): Promise<{ name: string; deleted: true }> {
  requireAdmin(deps.user);
  const key = parseOrThrow(regionNameSchema, name, "name");
  if (key === DEFAULT_REGION) {
    throw new DomainError(
      "conflict",
      `The "${DEFAULT_REGION}" region cannot be deleted: clusters registered without a region join it.`,
      "name",
    );
  }
  const now = new Date((deps.clock ?? systemClock)());
  await deps.db.$transaction(async (tx) => {
    // Lock the row so a concurrent update cannot slip between the check and the delete.
    const locked = await tx.$queryRaw<
      { name: string }[]
    >`SELECT name FROM regions WHERE name = ${key} FOR UPDATE`;
    if (locked.length === 0) throw notFound(key);
    const used = (await clusterCounts(tx, key)).get(key) ?? 0;
    if (used > 0) {
      throw new DomainError(
        "conflict",
        `Region "${key}" is used by ${used} cluster${used === 1 ? "" : "s"}: it cannot be deleted while they are in it.`,
        "name",
      );
    }
    const before = await tx.region.delete({ where: { name: key } });
    await auditAccountingChange(
      tx,
      deps,
      { type: "region", id: key },
      "region.deleted",
      { before: auditData(before) },
      now,
    );
  });
  log(deps).info({ region: key, by: deps.user.username }, "region deleted");
  return { name: key, deleted: true };
}

/** Every region's pricing data by name, for a billing run (no access check: the worker's own read). */
export async function loadRegionPricing(
  db: Db | Prisma.TransactionClient,
): Promise<Map<string, RegionPricing>> {
  const rows = await db.region.findMany({ take: MAX_REGIONS });
  return new Map(
    rows.map((row) => [
      row.name,
      {
        name: row.name,
        highDemand: row.highDemand,
        highDemandCost: row.highDemandCost,
        regionalCpuCosts: row.regionalCpuCosts,
        regionalMemoryCosts: row.regionalMemoryCosts,
        regionalGpuCosts: row.regionalGpuCosts,
      },
    ]),
  );
}
