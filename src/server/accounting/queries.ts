import { z } from "zod";
import { hasRole, Role } from "@/common/roles";
import { listInputSchema, type ListPage } from "@/common/pagination";
import type { LedgerAccountKind, Prisma } from "@/generated/prisma/client";
import type { SessionUser } from "@/server/auth";
import { DomainError, parseOrThrow } from "@/server/errors";
import type { AccountingDeps } from "./regions";

/**
 * What the Accounting console reads (tRPC `accounting.*` views; REST may use
 * the same). Everything is scoped to what the caller owns: a service provider
 * their workloads' accounts and their own user account (dataset rewards), an
 * infrastructure provider their clusters' accounts, an admin every account.
 * Amounts leave as decimal strings of units (1 token = 10^8 units).
 */

const isAdmin = (user: SessionUser) => hasRole(user.roles, Role.NEMO_ADMIN);

/** The account kinds a role holds by ownership; null: every account (admins). */
function ownedKinds(user: SessionUser): LedgerAccountKind[] | null {
  if (isAdmin(user)) return null;
  const kinds: LedgerAccountKind[] = [];
  if (hasRole(user.roles, Role.SERVICE_PROVIDER)) kinds.push("WORKLOAD", "USER");
  if (hasRole(user.roles, Role.INFRASTRUCTURE_PROVIDER)) kinds.push("CLUSTER", "USER");
  if (kinds.length === 0) throw new DomainError("forbidden", "Accounting is shown to admins and providers.");
  return kinds;
}

function accountScope(user: SessionUser): Prisma.LedgerAccountWhereInput {
  const kinds = ownedKinds(user);
  return kinds === null ? {} : { ownerUserId: user.id, kind: { in: kinds } };
}

/** The ids of the caller's accounts; null for admins (all). */
async function ownedAccountIds(deps: AccountingDeps): Promise<string[] | null> {
  const kinds = ownedKinds(deps.user);
  if (kinds === null) return null;
  const rows = await deps.db.ledgerAccount.findMany({
    where: { ownerUserId: deps.user.id, kind: { in: kinds } },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

export interface AccountView {
  id: string;
  kind: LedgerAccountKind;
  displayName: string;
  /** Units. */
  balance: string;
  owner: string | null;
  registeredAt: Date;
}

/** The caller's accounts with their balances (admins: every account), biggest balance first. */
export async function listAccounts(deps: AccountingDeps): Promise<AccountView[]> {
  const rows = await deps.db.ledgerAccount.findMany({
    where: accountScope(deps.user),
    orderBy: [{ kind: "asc" }, { balance: "desc" }, { id: "asc" }],
    take: 500,
    select: {
      id: true,
      kind: true,
      displayName: true,
      balance: true,
      registeredAt: true,
      owner: { select: { username: true } },
    },
  });
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    displayName: r.displayName,
    balance: r.balance.toString(),
    owner: r.owner?.username ?? null,
    registeredAt: r.registeredAt,
  }));
}

export const TRANSACTION_SORTS = ["sequence", "amount", "createdAt"] as const;
const ruleSchema = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, { error: "A rule is a lower-case word (compute, network, ml, …)." });
const accountIdSchema = z
  .string()
  .trim()
  .max(200)
  .regex(/^(platform|(cluster|workload|user):[\w-]{1,100})$/, {
    error: "An account is platform, cluster:<id>, workload:<id> or user:<id>.",
  });

export const transactionListInput = listInputSchema(TRANSACTION_SORTS, "sequence", "desc").extend({
  account: accountIdSchema.optional(),
  rule: ruleSchema.optional(),
  /** Charges of periods starting at or after this time (transactions without a period: recorded then). */
  from: z.date().optional(),
  /** …and before this time. */
  to: z.date().optional(),
});
export type TransactionListInput = z.input<typeof transactionListInput>;

export interface TransactionView {
  sequence: string;
  from: string;
  to: string;
  amount: string;
  rule: string;
  periodStart: Date | null;
  reference: string;
  inputs: Record<string, string>;
  createdAt: Date;
  /** Whether the caller's side of it is a credit (money in) or a debit; null for admins' all-accounts view. */
  direction: "credit" | "debit" | null;
}

/** One page of transactions touching the caller's accounts, filtered on the server. */
export async function listTransactions(
  deps: AccountingDeps,
  input: TransactionListInput,
): Promise<ListPage<TransactionView>> {
  const query = parseOrThrow(transactionListInput, input);
  const owned = await ownedAccountIds(deps);
  if (query.account && owned !== null && !owned.includes(query.account)) {
    // The same answer whether the account exists or is someone else's.
    throw new DomainError("not_found", `No account ${query.account}.`, "account");
  }
  const and: Prisma.LedgerTransactionWhereInput[] = [];
  if (owned !== null) and.push({ OR: [{ fromAccount: { in: owned } }, { toAccount: { in: owned } }] });
  if (query.account) and.push({ OR: [{ fromAccount: query.account }, { toAccount: query.account }] });
  if (query.rule) and.push({ rule: query.rule });
  if (query.from || query.to) {
    const range = { ...(query.from && { gte: query.from }), ...(query.to && { lt: query.to }) };
    and.push({
      OR: [{ periodStart: range }, { periodStart: null, createdAt: range }],
    });
  }
  const where: Prisma.LedgerTransactionWhereInput = { AND: and };
  const [rows, total] = await Promise.all([
    deps.db.ledgerTransaction.findMany({
      where,
      orderBy: [{ [query.sort]: query.direction }, { sequence: "desc" }],
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
    }),
    deps.db.ledgerTransaction.count({ where }),
  ]);
  const mine = new Set(owned ?? []);
  return {
    items: rows.map((r) => ({
      sequence: r.sequence.toString(),
      from: r.fromAccount,
      to: r.toAccount,
      amount: r.amount.toString(),
      rule: r.rule,
      periodStart: r.periodStart,
      reference: r.reference,
      inputs: (r.inputs ?? {}) as Record<string, string>,
      createdAt: r.createdAt,
      direction: owned === null ? null : mine.has(r.toAccount) ? "credit" : "debit",
    })),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

export const SERIES_RANGES = ["hour", "day", "week"] as const;
export const seriesInput = z.object({
  range: z.enum(SERIES_RANGES).default("day"),
  account: accountIdSchema.optional(),
});
export type SeriesInput = z.input<typeof seriesInput>;

const RANGE_MS = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 } as const;
const BUCKET = { hour: "minute", day: "hour", week: "day" } as const;

export interface SeriesPoint {
  at: Date;
  /** Units earned per rule in the bucket (credits to the caller's accounts). */
  credits: Record<string, string>;
  /** Units paid per rule in the bucket (debits of the caller's accounts). */
  debits: Record<string, string>;
  /** The caller's total balance at the end of the bucket (admins: the platform's issue, negated). */
  balance: string;
}

/**
 * Credits and debits per rule over time and the running balance, for the
 * charts: minute buckets for the last hour, hourly for a day, daily for a week.
 */
export async function accountSeries(
  deps: AccountingDeps,
  input: SeriesInput,
  now: Date = new Date(),
): Promise<{ range: (typeof SERIES_RANGES)[number]; points: SeriesPoint[] }> {
  const query = parseOrThrow(seriesInput, input);
  let ids = await ownedAccountIds(deps);
  if (query.account) {
    if (ids !== null && !ids.includes(query.account))
      throw new DomainError("not_found", `No account ${query.account}.`, "account");
    ids = [query.account];
  }
  // Admins' "everything": what the platform issued and took in, seen from the accounts' side.
  const accounts =
    ids ??
    (
      await deps.db.ledgerAccount.findMany({ where: { kind: { not: "PLATFORM" } }, select: { id: true } })
    ).map((a) => a.id);
  const since = new Date(now.getTime() - RANGE_MS[query.range]);
  const bucket = BUCKET[query.range];
  const rows = await deps.db.$queryRaw<{ at: Date; rule: string; credit: string; debit: string }[]>`
    SELECT date_trunc(${bucket}, t.created_at) AS at, t.rule,
           COALESCE(SUM(t.amount) FILTER (WHERE t.to_account = ANY(${accounts}) AND NOT t.from_account = ANY(${accounts})), 0)::text AS credit,
           COALESCE(SUM(t.amount) FILTER (WHERE t.from_account = ANY(${accounts}) AND NOT t.to_account = ANY(${accounts})), 0)::text AS debit
    FROM ledger_transactions t
    WHERE (t.from_account = ANY(${accounts}) OR t.to_account = ANY(${accounts})) AND t.created_at >= ${since}
    GROUP BY 1, 2 ORDER BY 1`;
  const [opening] = await deps.db.$queryRaw<{ net: string }[]>`
    SELECT (COALESCE(SUM(t.amount) FILTER (WHERE t.to_account = ANY(${accounts})), 0)
          - COALESCE(SUM(t.amount) FILTER (WHERE t.from_account = ANY(${accounts})), 0))::text AS net
    FROM ledger_transactions t
    WHERE (t.from_account = ANY(${accounts}) OR t.to_account = ANY(${accounts})) AND t.created_at < ${since}`;
  let balance = BigInt(opening?.net ?? "0");
  const points: SeriesPoint[] = [];
  for (const row of rows) {
    let point = points.at(-1);
    if (!point || point.at.getTime() !== row.at.getTime()) {
      point = { at: row.at, credits: {}, debits: {}, balance: balance.toString() };
      points.push(point);
    }
    if (row.credit !== "0") point.credits[row.rule] = row.credit;
    if (row.debit !== "0") point.debits[row.rule] = row.debit;
    balance += BigInt(row.credit) - BigInt(row.debit);
    point.balance = balance.toString();
  }
  return { range: query.range, points };
}

/** Balances of workloads' accounts, for the workloads table (only the caller's visible workloads). */
export async function workloadBalances(
  deps: AccountingDeps,
  workloadIds: readonly number[],
): Promise<Record<string, string>> {
  if (workloadIds.length === 0) return {};
  const ids = workloadIds.slice(0, 100).map((id) => `workload:${id}`);
  const rows = await deps.db.ledgerAccount.findMany({
    where: { id: { in: ids }, ...(isAdmin(deps.user) ? {} : { ownerUserId: deps.user.id }) },
    select: { id: true, balance: true },
  });
  return Object.fromEntries(rows.map((r) => [r.id.slice("workload:".length), r.balance.toString()]));
}

export const instanceCostsInput = z.object({
  instanceId: z.uuid({ error: "The instance id is a UUID." }),
  limit: z.number().int().min(1).max(200).default(50),
});

export interface InstanceCostItem {
  rule: string;
  periodStart: Date;
  periodEnd: Date;
  amount: string;
  gco2e: number | null;
  energyWh: number | null;
  greenReward: string | null;
  ledgerSequence: string | null;
  clusterId: string;
  region: string;
}

/** An instance's billing items, newest period first, and its totals per rule (owner, admins, its cluster's provider). */
export async function instanceCosts(
  deps: AccountingDeps,
  input: z.input<typeof instanceCostsInput>,
): Promise<{ items: InstanceCostItem[]; totals: Record<string, string>; gco2e: number }> {
  const query = parseOrThrow(instanceCostsInput, input);
  const admin = isAdmin(deps.user);
  const instance = await deps.db.workloadInstance.findFirst({
    where: {
      id: query.instanceId,
      ...(admin ? {} : { OR: [{ ownerId: deps.user.id }, { cluster: { ownerId: deps.user.id } }] }),
    },
    select: { id: true },
  });
  if (!instance)
    throw new DomainError("not_found", `Instance ${query.instanceId} was not found.`, "instanceId");
  const [rows, sums] = await Promise.all([
    deps.db.billingItem.findMany({
      where: { instanceId: instance.id },
      orderBy: [{ periodStart: "desc" }, { rule: "asc" }],
      take: query.limit,
    }),
    deps.db.billingItem.groupBy({
      by: ["rule"],
      where: { instanceId: instance.id },
      _sum: { amount: true, gco2e: true },
    }),
  ]);
  return {
    items: rows.map((r) => ({
      rule: r.rule,
      periodStart: r.periodStart,
      periodEnd: r.periodEnd,
      amount: r.amount.toString(),
      gco2e: r.gco2e,
      energyWh: r.energyWh,
      greenReward: r.greenReward?.toString() ?? null,
      ledgerSequence: r.ledgerSequence?.toString() ?? null,
      clusterId: r.clusterId,
      region: r.region,
    })),
    totals: Object.fromEntries(sums.map((s) => [s.rule, (s._sum.amount ?? 0n).toString()])),
    gco2e: sums.reduce((sum, s) => sum + (s._sum.gco2e ?? 0), 0),
  };
}

export const COST_GROUPS = ["workload", "owner", "cluster", "region"] as const;
export const costViewInput = z.object({ groupBy: z.enum(COST_GROUPS).default("workload") });

export interface CostRow {
  key: string;
  label: string;
  /** Units charged. */
  charged: string;
  /** Units of green reward credited back. */
  greenReward: string;
  gco2e: number;
  gco2eAvoided: number;
  items: number;
}

/**
 * One view across every cluster: cost, green credits and gCO₂e by workload,
 * owner, cluster or region, from the billing items the caller may see (a
 * service provider their instances', an infrastructure provider those on their
 * clusters, an admin all).
 */
export async function costView(
  deps: AccountingDeps,
  input: z.input<typeof costViewInput>,
): Promise<CostRow[]> {
  const { groupBy } = parseOrThrow(costViewInput, input);
  const user = deps.user;
  let where: Prisma.BillingItemWhereInput = {};
  if (!isAdmin(user)) {
    const or: Prisma.BillingItemWhereInput[] = [];
    if (hasRole(user.roles, Role.SERVICE_PROVIDER)) or.push({ ownerId: user.id });
    if (hasRole(user.roles, Role.INFRASTRUCTURE_PROVIDER)) {
      const clusters = await deps.db.cluster.findMany({ where: { ownerId: user.id }, select: { id: true } });
      or.push({ clusterId: { in: clusters.map((c) => c.id) } });
    }
    if (or.length === 0) throw new DomainError("forbidden", "Accounting is shown to admins and providers.");
    where = { OR: or };
  }
  const field = (
    { workload: "workloadId", owner: "ownerId", cluster: "clusterId", region: "region" } as const
  )[groupBy];
  const groups = await deps.db.billingItem.groupBy({
    by: [field],
    where,
    _sum: { amount: true, greenReward: true, gco2e: true, gco2eAvoided: true },
    _count: { _all: true },
  });
  const keys = groups.map((g) => String(g[field]));
  const labels = new Map<string, string>();
  if (groupBy === "workload") {
    const rows = await deps.db.workload.findMany({
      where: { id: { in: keys.map(Number) } },
      select: { id: true, name: true, version: true },
    });
    for (const w of rows) labels.set(String(w.id), `${w.name} ${w.version}`);
  } else if (groupBy === "owner") {
    const rows = await deps.db.user.findMany({
      where: { id: { in: keys } },
      select: { id: true, username: true },
    });
    for (const u of rows) labels.set(u.id, u.username);
  } else if (groupBy === "cluster") {
    const rows = await deps.db.cluster.findMany({
      where: { id: { in: keys } },
      select: { id: true, name: true },
    });
    for (const c of rows) labels.set(c.id, c.name);
  }
  return groups
    .map((g) => {
      const key = String(g[field]);
      return {
        key,
        label: labels.get(key) ?? key,
        charged: (g._sum.amount ?? 0n).toString(),
        greenReward: (g._sum.greenReward ?? 0n).toString(),
        gco2e: g._sum.gco2e ?? 0,
        gco2eAvoided: g._sum.gco2eAvoided ?? 0,
        items: g._count._all,
      };
    })
    .sort((a, b) =>
      BigInt(b.charged) > BigInt(a.charged) ? 1 : BigInt(b.charged) < BigInt(a.charged) ? -1 : 0,
    );
}
