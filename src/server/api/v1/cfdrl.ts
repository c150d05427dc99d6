/**
 * REST CFDRL (issue 15): decisions, agent status and models
 * (/api/v1/cfdrl/…), an instance's settings (/api/v1/instance/{id}/cfdrl/)
 * and the admins' model rollback. Thin: the same domain functions as the
 * tRPC cfdrl router (src/server/rl), which check role and tenancy.
 */
import { z } from "zod";
import { rolesForArea } from "@/common/areas";
import { CFDRL_OUTCOMES } from "@/common/cfdrl";
import { queryPageFields } from "@/common/pagination";
import { ALL_ROLES, Role } from "@/common/roles";
import { restHandler } from "@/server/api/rest";
import {
  cfdrlAgentSchema,
  cfdrlDecisions,
  cfdrlModels,
  cfdrlRollbackSchema,
  cfdrlSettingsUpdateSchema,
  cfdrlStatus,
  getCfdrlSettings,
  instanceCfdrlDecisions,
  rollbackCfdrlModel,
  updateCfdrlSettings,
} from "@/server/rl";

const instanceRoles = rolesForArea("instances");

/** The decision list's query parameters (strings on the wire). */
export const cfdrlDecisionQuery = z.strictObject({
  ...queryPageFields,
  agent: cfdrlAgentSchema.optional().describe("Only this agent's decisions."),
  outcome: z
    .enum(CFDRL_OUTCOMES, { error: `outcome is one of ${CFDRL_OUTCOMES.join(", ")}.` })
    .optional()
    .describe("Only decisions with this outcome."),
  instanceId: z
    .string()
    .max(64)
    .optional()
    .describe("Only this instance's decisions (its owner and admins; another tenant's instance is 404)."),
});

export const cfdrlModelQuery = z.strictObject({
  agent: cfdrlAgentSchema.optional().describe("Only this agent's versions."),
});

/** GET /api/v1/cfdrl/decisions/ — newest first: the caller's instances' (admins: all), or one instance's. */
export const cfdrlDecisionsRest = restHandler(
  { roles: rolesForArea("orchestration"), query: cfdrlDecisionQuery },
  ({ db, user, query }) => {
    const { instanceId, ...page } = query;
    return instanceId === undefined
      ? cfdrlDecisions({ db, user }, page)
      : instanceCfdrlDecisions({ db, user }, instanceId, page);
  },
);

/** GET /api/v1/cfdrl/status/ — each agent: epsilon, buffer size, active model, steps, loss curve. */
export const cfdrlStatusRest = restHandler({ roles: ALL_ROLES }, ({ db, user }) => cfdrlStatus({ db, user }));

/** GET /api/v1/cfdrl/models/ — saved versions without weights, newest first per agent. */
export const cfdrlModelsRest = restHandler(
  { roles: ALL_ROLES, query: cfdrlModelQuery },
  ({ db, user, query }) => cfdrlModels({ db, user }, query),
);

/** PUT /api/v1/cfdrl/models/{agent}/active/ — make an older version active (admins; audited). */
export const cfdrlRollbackRest = restHandler(
  { roles: [Role.NEMO_ADMIN], body: cfdrlRollbackSchema },
  ({ db, user, params, body }) => rollbackCfdrlModel({ db, user }, params.agent ?? "", body),
);

/** GET /api/v1/instance/{id}/cfdrl/ — the instance's enable switches and replica bounds. */
export const instanceCfdrlRest = restHandler({ roles: instanceRoles }, ({ db, user, params }) =>
  getCfdrlSettings({ db, user }, params.id ?? ""),
);

/** PUT /api/v1/instance/{id}/cfdrl/ — change them (owner or admin; fields left out keep their values). */
export const updateInstanceCfdrlRest = restHandler(
  { roles: instanceRoles, body: cfdrlSettingsUpdateSchema },
  ({ db, user, params, body }) => updateCfdrlSettings({ db, user }, params.id ?? "", body),
);
