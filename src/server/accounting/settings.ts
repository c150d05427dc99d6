import type { Prisma } from "@/generated/prisma/client";
import { systemClock } from "@/common/clock";
import { accountingSettingsUpdateSchema, greenRewardsUpdateSchema } from "@/common/accounting-pricing";
import { ALL_ROLES, Role } from "@/common/roles";
import type { Db } from "@/server/db";
import { parseOrThrow } from "@/server/errors";
import { logger as rootLogger } from "@/server/logger";
import { roleGuard } from "@/server/role-guards";
import { auditAccountingChange, type AccountingDeps } from "./regions";
import { GREEN_PRESETS, presetTable, type GreenPreset, type GreenRewardTable } from "./rules";

/**
 * Accounting settings (one row) and the green-energy reward table in force.
 * Everyone signed in with a role reads them (they price their bills); admins
 * change them, audited. A preset replaces the table with its rows; an edited
 * table is "custom".
 */

export interface GreenRewardRow {
  percent: number;
  /** Units, as a decimal string. */
  reward: string;
}

export interface GreenRewardsView {
  preset: GreenPreset;
  rewards: GreenRewardRow[];
  /** What each preset would set, for the editor's switch and for anyone checking a reference run. */
  presets: Record<Exclude<GreenPreset, "custom">, GreenRewardRow[]>;
  updatedAt: Date;
  updatedBy: string | null;
}

export interface AccountingSettingsView {
  greenPreset: GreenPreset;
  /** Units per GB above the free 5 GB, as a decimal string. */
  chargePerGb: string;
  updatedAt: Date;
  updatedBy: string | null;
}

/** What a billing run prices with. */
export interface PricingSettings {
  chargePerGb: bigint;
  greenPreset: GreenPreset;
  greenRewards: GreenRewardTable;
}

type Client = Db | Prisma.TransactionClient;

const requireReader = roleGuard(ALL_ROLES, "Accounting settings are shown to the console's roles only.");
const requireAdmin = roleGuard([Role.NEMO_ADMIN], "Only a NEMO admin can change accounting settings.");

function asPreset(value: string): GreenPreset {
  return (GREEN_PRESETS as readonly string[]).includes(value) ? (value as GreenPreset) : "custom";
}

const rowsOf = (table: GreenRewardTable): GreenRewardRow[] =>
  [...table.entries()].map(([percent, reward]) => ({ percent, reward: reward.toString() }));

async function settingsRow(db: Client) {
  // The migration inserts the row; upsert keeps a database restored without it working.
  return db.accountingSettings.upsert({ where: { id: 1 }, create: { id: 1 }, update: {} });
}

/** The settings and green table as billing uses them (no access check: the worker's own read). */
export async function loadPricingSettings(db: Client): Promise<PricingSettings> {
  const [settings, rewards] = await Promise.all([
    settingsRow(db),
    db.greenReward.findMany({ orderBy: { percent: "asc" } }),
  ]);
  return {
    chargePerGb: settings.chargePerGb,
    greenPreset: asPreset(settings.greenPreset),
    greenRewards: new Map(rewards.map((r) => [r.percent, r.reward])),
  };
}

export async function getAccountingSettings(deps: AccountingDeps): Promise<AccountingSettingsView> {
  requireReader(deps.user);
  const row = await settingsRow(deps.db);
  return {
    greenPreset: asPreset(row.greenPreset),
    chargePerGb: row.chargePerGb.toString(),
    updatedAt: row.updatedAt,
    updatedBy: row.updatedBy,
  };
}

export async function getGreenRewards(deps: AccountingDeps): Promise<GreenRewardsView> {
  requireReader(deps.user);
  return greenRewardsView(deps.db);
}

async function greenRewardsView(db: Client): Promise<GreenRewardsView> {
  const [settings, rewards] = await Promise.all([
    settingsRow(db),
    db.greenReward.findMany({ orderBy: { percent: "asc" } }),
  ]);
  return {
    preset: asPreset(settings.greenPreset),
    rewards: rewards.map((r) => ({ percent: r.percent, reward: r.reward.toString() })),
    presets: { default: rowsOf(presetTable("default")), reference: rowsOf(presetTable("reference")) },
    updatedAt: settings.updatedAt,
    updatedBy: settings.updatedBy,
  };
}

/** Replaces the green table with a preset's rows or a custom table (admin, audited with before/after). */
export async function updateGreenRewards(deps: AccountingDeps, input: unknown): Promise<GreenRewardsView> {
  requireAdmin(deps.user);
  const update = parseOrThrow(greenRewardsUpdateSchema, input);
  const now = new Date((deps.clock ?? systemClock)());
  const preset: GreenPreset = update.preset ?? "custom";
  const rows = update.preset
    ? [...presetTable(update.preset).entries()].map(([percent, reward]) => ({ percent, reward }))
    : (update.rewards ?? []).slice().sort((a, b) => a.percent - b.percent);
  const result = await deps.db.$transaction(async (tx) => {
    // Serialise table edits: two admins saving at once end with one whole table, not a mix.
    await tx.$queryRaw`SELECT id FROM accounting_settings WHERE id = 1 FOR UPDATE`;
    const before = await greenRewardsView(tx);
    await tx.greenReward.deleteMany({});
    await tx.greenReward.createMany({ data: rows });
    await tx.accountingSettings.upsert({
      where: { id: 1 },
      create: { id: 1, greenPreset: preset, updatedAt: now, updatedBy: deps.user.username },
      update: { greenPreset: preset, updatedAt: now, updatedBy: deps.user.username },
    });
    await auditAccountingChange(
      tx,
      deps,
      { type: "accounting-settings", id: "green-rewards" },
      "accounting.green-rewards.updated",
      {
        before: { preset: before.preset, rewards: before.rewards.map((r) => ({ ...r })) },
        after: { preset, rewards: rows.map((r) => ({ percent: r.percent, reward: r.reward.toString() })) },
      },
      now,
    );
    return greenRewardsView(tx);
  });
  (deps.log ?? rootLogger)
    .child({ module: "accounting-settings" })
    .info({ preset, rows: rows.length, by: deps.user.username }, "green reward table set");
  return result;
}

/** Sets the network rule's charge per GB (admin, audited). */
export async function updateAccountingSettings(
  deps: AccountingDeps,
  input: unknown,
): Promise<AccountingSettingsView> {
  requireAdmin(deps.user);
  const update = parseOrThrow(accountingSettingsUpdateSchema, input);
  const now = new Date((deps.clock ?? systemClock)());
  await deps.db.$transaction(async (tx) => {
    const before = await settingsRow(tx);
    await tx.accountingSettings.update({
      where: { id: 1 },
      data: { chargePerGb: update.chargePerGb, updatedAt: now, updatedBy: deps.user.username },
    });
    await auditAccountingChange(
      tx,
      deps,
      { type: "accounting-settings", id: "settings" },
      "accounting.settings.updated",
      {
        before: { chargePerGb: before.chargePerGb.toString() },
        after: { chargePerGb: update.chargePerGb.toString() },
      },
      now,
    );
  });
  (deps.log ?? rootLogger)
    .child({ module: "accounting-settings" })
    .info({ chargePerGb: update.chargePerGb.toString(), by: deps.user.username }, "accounting settings set");
  return getAccountingSettings(deps);
}
