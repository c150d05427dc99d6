import { z } from "zod";
import { ALL_ROLES, Role } from "@/common/roles";
import {
  accountingSettingsUpdateSchema,
  greenRewardsUpdateSchema,
  regionCreateSchema,
  regionDataSchema,
  regionNameSchema,
} from "@/common/accounting-pricing";
import { createTRPCRouter, roleProcedure } from "@/server/api/trpc";
import {
  billingRunsQuerySchema,
  budgetCreateSchema,
  budgetUpdateSchema,
  createBudget,
  deleteBudget,
  getBudget,
  listBillingRuns,
  listBudgets,
  updateBudget,
  createRegion,
  deleteRegion,
  getAccountingSettings,
  getGreenRewards,
  getRegion,
  listRegions,
  updateAccountingSettings,
  updateGreenRewards,
  updateRegion,
  lastLedgerVerificationView,
  verifyLedgerAsAdmin,
  accountSeries,
  costView,
  costViewInput,
  idleCapacity,
  idleCapacityQuerySchema,
  instanceCosts,
  instanceCostsInput,
  listAccounts,
  listTransactions,
  seriesInput,
  transactionListInput,
  workloadBalances,
} from "@/server/accounting";

export type { AccountingSettingsView, GreenRewardsView, RegionView } from "@/server/accounting";

/**
 * MOCA accounting (the Accounting page). Pricing tables: every role reads
 * them (they price their bills), admins change them; the domain checks the
 * role again and audits every change. Other accounting procedures (ledger,
 * billing, budgets, the console's views) join this router.
 */
const readerProcedure = roleProcedure(...ALL_ROLES);
const adminProcedure = roleProcedure(Role.NEMO_ADMIN);
const regionName = z.object({ name: regionNameSchema });
const budgetProcedure = roleProcedure(Role.SERVICE_PROVIDER, Role.NEMO_ADMIN);
const budgetId = z.object({ id: z.uuid() });

export const accountingRouter = createTRPCRouter({
  // --- pricing tables -----------------------------------------------------
  /** Every region with data and every region clusters name without data. */
  regions: readerProcedure.query(({ ctx }) => listRegions({ db: ctx.db, user: ctx.session.user })),

  region: readerProcedure
    .input(regionName)
    .query(({ ctx, input }) => getRegion({ db: ctx.db, user: ctx.session.user }, input.name)),

  createRegion: adminProcedure
    .input(regionCreateSchema)
    .mutation(({ ctx, input }) => createRegion({ db: ctx.db, user: ctx.session.user }, input)),

  /** Sets a region's data; creates it for a region clusters name without data. */
  updateRegion: adminProcedure
    .input(z.object({ name: regionNameSchema, data: regionDataSchema }))
    .mutation(({ ctx, input }) =>
      updateRegion({ db: ctx.db, user: ctx.session.user }, input.name, input.data),
    ),

  /** Refused while registered clusters are in it, and for "default". */
  deleteRegion: adminProcedure
    .input(regionName)
    .mutation(({ ctx, input }) => deleteRegion({ db: ctx.db, user: ctx.session.user }, input.name)),

  greenRewards: readerProcedure.query(({ ctx }) => getGreenRewards({ db: ctx.db, user: ctx.session.user })),

  /** A preset's table, or a custom one. */
  setGreenRewards: adminProcedure
    .input(greenRewardsUpdateSchema)
    .mutation(({ ctx, input }) => updateGreenRewards({ db: ctx.db, user: ctx.session.user }, input)),

  settings: readerProcedure.query(({ ctx }) => getAccountingSettings({ db: ctx.db, user: ctx.session.user })),

  updateSettings: adminProcedure
    .input(accountingSettingsUpdateSchema)
    .mutation(({ ctx, input }) => updateAccountingSettings({ db: ctx.db, user: ctx.session.user }, input)),

  // --- ledger ---------------------------------------------------------------
  /** Recomputes the chain and the balances, records and returns the result (admins). */
  verifyLedger: adminProcedure.mutation(({ ctx }) =>
    verifyLedgerAsAdmin({ db: ctx.db, user: ctx.session.user }),
  ),

  /** The last recorded verification, null when never verified (admins). */
  lastVerification: adminProcedure.query(({ ctx }) =>
    lastLedgerVerificationView({ db: ctx.db, user: ctx.session.user }),
  ),

  // --- billing and budgets --------------------------------------------------
  /** Idle capacity by cluster ("paid by nobody"): an infrastructure provider's own clusters, admins all. */
  idleCapacity: roleProcedure(Role.INFRASTRUCTURE_PROVIDER, Role.NEMO_ADMIN)
    .input(idleCapacityQuerySchema.optional())
    .query(({ ctx, input }) => idleCapacity({ db: ctx.db, user: ctx.session.user }, input ?? {})),

  /** The last billing runs with the items they could not bill (admins). */
  billingRuns: adminProcedure
    .input(billingRunsQuerySchema.optional())
    .query(({ ctx, input }) => listBillingRuns({ db: ctx.db, user: ctx.session.user }, input ?? {})),

  /** The caller's budgets (admins: everyone's) with the current window's spending. */
  budgets: budgetProcedure.query(({ ctx }) => listBudgets({ db: ctx.db, user: ctx.session.user })),

  budget: budgetProcedure
    .input(budgetId)
    .query(({ ctx, input }) => getBudget({ db: ctx.db, user: ctx.session.user }, input.id)),

  createBudget: budgetProcedure
    .input(budgetCreateSchema)
    .mutation(({ ctx, input }) => createBudget({ db: ctx.db, user: ctx.session.user }, input)),

  updateBudget: budgetProcedure
    .input(z.object({ id: z.uuid(), data: budgetUpdateSchema }))
    .mutation(({ ctx, input }) => updateBudget({ db: ctx.db, user: ctx.session.user }, input.id, input.data)),

  deleteBudget: budgetProcedure
    .input(budgetId)
    .mutation(({ ctx, input }) => deleteBudget({ db: ctx.db, user: ctx.session.user }, input.id)),
  // --- the console's views (src/server/accounting/queries.ts) -----------------
  /** The caller's accounts and balances (admins: every account). */
  accounts: readerProcedure.query(({ ctx }) => listAccounts({ db: ctx.db, user: ctx.session.user })),

  /** One page of transactions touching the caller's accounts; filter by account, rule, period. */
  transactions: readerProcedure
    .input(transactionListInput)
    .query(({ ctx, input }) => listTransactions({ db: ctx.db, user: ctx.session.user }, input)),

  /** Credits and debits per rule over time and the running balance, for the charts. */
  series: readerProcedure
    .input(seriesInput)
    .query(({ ctx, input }) => accountSeries({ db: ctx.db, user: ctx.session.user }, input)),

  /** Balances of the given workloads' accounts (the workloads table's Balance column). */
  workloadBalances: readerProcedure
    .input(z.object({ ids: z.array(z.number().int().positive()).max(100) }))
    .query(({ ctx, input }) => workloadBalances({ db: ctx.db, user: ctx.session.user }, input.ids)),

  /** An instance's billing items and totals per rule (its owner, admins, its cluster's provider). */
  instanceCosts: readerProcedure
    .input(instanceCostsInput)
    .query(({ ctx, input }) => instanceCosts({ db: ctx.db, user: ctx.session.user }, input)),

  /** Cost, green credits and gCO2e by workload, owner, cluster or region, across every cluster. */
  costView: readerProcedure
    .input(costViewInput)
    .query(({ ctx, input }) => costView({ db: ctx.db, user: ctx.session.user }, input)),
});
