import { z } from "zod";
import { rolesForArea } from "@/common/areas";
import { createTRPCRouter, roleProcedure } from "@/server/api/trpc";
import {
  changeTargetInput,
  createIntentInputSchema,
  intentActionInput,
  intentTemplateInput,
} from "@/server/intents";
import { changeIntentTarget, createIntent, intentAction, intentTemplate } from "@/server/intents";
import {
  exportIntentYaml,
  intentDetail,
  intentListInput,
  intentReport,
  intentTypes,
  listIntents,
} from "@/server/intents";

export { intentListInput };
export type { IntentRow, IntentDetail, IntentReport } from "@/server/intents";

/**
 * Intent management for the console (management and the intent report).
 * Every procedure is one domain call — REST calls the same ones — and the
 * domain checks role and ownership itself (another tenant's intent is "not
 * found"); the role guard here only answers early.
 */
const intentProcedure = roleProcedure(...rolesForArea("intents"));
// Any string: the domain answers "not found" for what is not an intent id.
const byId = z.object({ id: z.string().max(64) });

export const intentRouter = createTRPCRouter({
  /** Intents (deleted ones excluded): a service provider sees their own, an admin all of them. */
  list: intentProcedure
    .input(intentListInput)
    .query(({ ctx, input }) => listIntents({ db: ctx.db, user: ctx.session.user }, input)),

  /** The catalogue: intent types, their targets, units and accepted conditions. */
  types: intentProcedure.query(() => intentTypes()),

  /** One intent (normal form, secrets redacted) with its latest report. */
  get: intentProcedure
    .input(byId)
    .query(({ ctx, input }) => intentDetail({ db: ctx.db, user: ctx.session.user }, input.id)),

  /**
   * From the form (`fieldErrors` per row: "targets.0.targetValue"), a YAML
   * upload or the normal form as JSON (`problems` with field and line).
   */
  create: intentProcedure
    .input(createIntentInputSchema)
    .mutation(({ ctx, input }) => createIntent({ db: ctx.db, user: ctx.session.user }, input)),

  /** start / suspend / delete. */
  action: intentProcedure
    .input(intentActionInput)
    .mutation(({ ctx, input }) =>
      intentAction({ db: ctx.db, user: ctx.session.user }, input.id, input.action),
    ),

  /** A new value (and condition) for one target; evaluated again right away. */
  changeTarget: intentProcedure
    .input(changeTargetInput)
    .mutation(({ ctx, input: { id: intentId, ...change } }) =>
      changeIntentTarget({ db: ctx.db, user: ctx.session.user }, intentId, change),
    ),

  /** Latest report (3GPP view) and the last 30 for a chart. */
  report: intentProcedure
    .input(byId)
    .query(({ ctx, input }) => intentReport({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** A ready-to-edit intent (JSON and YAML) for an instance. */
  template: intentProcedure
    .input(intentTemplateInput)
    .query(({ ctx, input }) =>
      intentTemplate({ db: ctx.db, user: ctx.session.user }, input.instanceId, input.intentType),
    ),

  /** The intent as YAML, secrets redacted. */
  exportYaml: intentProcedure
    .input(byId)
    .query(({ ctx, input }) => exportIntentYaml({ db: ctx.db, user: ctx.session.user }, input.id)),
});
