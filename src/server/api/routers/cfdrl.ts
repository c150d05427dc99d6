import { z } from "zod";
import { ALL_ROLES, Role } from "@/common/roles";
import { rolesForArea } from "@/common/areas";
import { createTRPCRouter, roleProcedure } from "@/server/api/trpc";
import {
  cfdrlDecisionListSchema,
  cfdrlDecisions,
  cfdrlModelListSchema,
  cfdrlModels,
  cfdrlRollbackSchema,
  cfdrlSeriesSchema,
  cfdrlSettingsUpdateSchema,
  cfdrlStatus,
  getCfdrlSettings,
  instanceCfdrlDecisions,
  instanceCfdrlSeries,
  lastCfdrlEvaluation,
  rollbackCfdrlModel,
  updateCfdrlSettings,
} from "@/server/rl";

/**
 * CFDRL (issue 15): an instance's settings, decisions and reward series (the
 * instance page's CFDRL tab), and the agents' status, models and evaluation
 * with decisions across instances (the Orchestration page). Each procedure
 * is one domain call; the domain checks role and tenancy (src/server/rl).
 */
const instanceProcedure = roleProcedure(...rolesForArea("instances"));
const orchestrationProcedure = roleProcedure(...rolesForArea("orchestration"));
const readerProcedure = roleProcedure(...ALL_ROLES);
const adminProcedure = roleProcedure(Role.NEMO_ADMIN);
// Any string: the domain answers "not found" for what is not an instance id.
const instanceId = z.string().max(64);

export const cfdrlRouter = createTRPCRouter({
  /** Enable switches and replica bounds (the defaults when never set). */
  settings: instanceProcedure
    .input(z.object({ instanceId }))
    .query(({ ctx, input }) => getCfdrlSettings({ db: ctx.db, user: ctx.session.user }, input.instanceId)),

  /** Changes them (owner or admin; audited). */
  updateSettings: instanceProcedure
    .input(cfdrlSettingsUpdateSchema.extend({ instanceId }))
    .mutation(({ ctx, input }) => {
      const { instanceId: id, ...change } = input;
      return updateCfdrlSettings({ db: ctx.db, user: ctx.session.user }, id, change);
    }),

  /** One instance's decisions, newest first. */
  instanceDecisions: instanceProcedure
    .input(cfdrlDecisionListSchema.extend({ instanceId }))
    .query(({ ctx, input }) => {
      const { instanceId: id, ...page } = input;
      return instanceCfdrlDecisions({ db: ctx.db, user: ctx.session.user }, id, page);
    }),

  /** The scaling agent's reward and the instance's replicas over time. */
  instanceSeries: instanceProcedure
    .input(cfdrlSeriesSchema.extend({ instanceId }))
    .query(({ ctx, input }) => {
      const { instanceId: id, ...options } = input;
      return instanceCfdrlSeries({ db: ctx.db, user: ctx.session.user }, id, options);
    }),

  /** Decisions across the caller's instances (admins: all), newest first. */
  decisions: orchestrationProcedure
    .input(cfdrlDecisionListSchema)
    .query(({ ctx, input }) => cfdrlDecisions({ db: ctx.db, user: ctx.session.user }, input)),

  /** Each agent: epsilon, buffer size, active model, training steps, loss curve. */
  status: readerProcedure.query(({ ctx }) => cfdrlStatus({ db: ctx.db, user: ctx.session.user })),

  /** Saved model versions (without weights), newest first per agent. */
  models: readerProcedure
    .input(cfdrlModelListSchema)
    .query(({ ctx, input }) => cfdrlModels({ db: ctx.db, user: ctx.session.user }, input)),

  /** Makes a saved version the agent's active model (admins; audited). */
  rollback: adminProcedure
    .input(cfdrlRollbackSchema.extend({ agent: z.string().max(20) }))
    .mutation(({ ctx, input }) => {
      const { agent, ...target } = input;
      return rollbackCfdrlModel({ db: ctx.db, user: ctx.session.user }, agent, target);
    }),

  /** The evaluation lab's last run (results and plot), or null. */
  evaluation: readerProcedure.query(({ ctx }) => lastCfdrlEvaluation({ db: ctx.db, user: ctx.session.user })),
});
