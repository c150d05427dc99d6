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
  createRegion,
  deleteRegion,
  getAccountingSettings,
  getGreenRewards,
  getRegion,
  listRegions,
  updateAccountingSettings,
  updateGreenRewards,
  updateRegion,
} from "@/server/accounting";
import { lastLedgerVerificationView, verifyLedgerAsAdmin } from "@/server/accounting/ledger-access";

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
});
