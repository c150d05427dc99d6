/**
 * REST Intent-Based API, instance part (/api/v1/instance/…). Thin: parse the
 * HTTP request, call the same domain functions tRPC calls, shape the answer.
 * Role and ownership rules are the domain's; so are the error statuses
 * (another tenant's instance is 404, a chart that does not render 422 with
 * its problems).
 */
import { z } from "zod";
import { created, restHandler, RestError } from "@/server/api/rest";
import { rolesForArea } from "@/common/areas";
import {
  changeInstance,
  createInstance,
  createInstanceInputSchema,
  deleteInstance,
  dryRunPlacement,
  getInstanceWithReplicas,
  instanceDeploymentTree,
  instanceListQuery,
  instanceManifests,
  instancePlacement,
  instanceChangeInputSchema,
  instanceTimeline,
  listInstances,
  previewInstanceChange,
  retryInstance,
} from "@/server/instances";

const roles = rolesForArea("instances");

/** `?reveal=secrets`: the owner asks for the values override and Secret values in clear (audited). */
export const revealQuery = z.object({
  reveal: z
    .literal("secrets", { error: 'reveal: the only value is "secrets"' })
    .optional()
    .describe(
      "`secrets`: show the values override and the data of Secret manifests in clear. Only the instance's " +
        "owner may ask (403 otherwise); each reveal is recorded in the audit log. Without it they read `<redacted>`.",
    ),
});
const revealOf = (query: z.output<typeof revealQuery>) => ({ revealSecrets: query.reveal === "secrets" });

/** GET /api/v1/instance/ — one page of the caller's instances (all, for an admin). */
export const listInstancesRest = restHandler({ roles, query: instanceListQuery }, ({ db, user, query }) =>
  listInstances({ db, user }, query),
);

/**
 * POST /api/v1/instance/ — render the workload's chart and create the
 * instance RENDERED; the orchestrator places and deploys it.
 */
export const createInstanceRest = restHandler(
  { roles, body: createInstanceInputSchema },
  async ({ db, user, body }) => {
    const instance = await createInstance({ db, user }, body);
    return created(instance, `/api/v1/instance/${instance.id}/`);
  },
);

/** GET /api/v1/instance/{id}/ — with ready replicas from its cluster; the values override redacted unless `?reveal=secrets` (owner only). */
export const getInstanceRest = restHandler({ roles, query: revealQuery }, ({ db, user, params, query }) =>
  getInstanceWithReplicas({ db, user }, params.id ?? "", revealOf(query)),
);

/** DELETE /api/v1/instance/{id}/ — 202: the orchestrator removes it, then it is DELETED. */
export const deleteInstanceRest = restHandler({ roles }, async ({ db, user, params }) => {
  const instance = await deleteInstance({ db, user }, params.id ?? "");
  return Response.json(instance, { status: 202, headers: { "cache-control": "no-store" } });
});

/** `?dryRun=true`: answer the change's manifest diff without applying it. */
export const changeQuery = z.object({
  dryRun: z
    .enum(["true", "false"], { error: 'dryRun: "true" or "false"' })
    .optional()
    .describe(
      "`true`: only answer what the change would do (its manifest diff); nothing is stored or applied.",
    ),
});

/**
 * PATCH /api/v1/instance/{id}/ — change a DEPLOYED instance: a new values
 * override and / or another version of its workload (an upgrade, re-rendered
 * with Is Upgrade) and / or replicas by hand. 202 with the manifest diff: the
 * orchestrator applies it (DEPLOYING → DEPLOYED); 200 with `changed: false`
 * when it changes nothing; `?dryRun=true` answers the diff only.
 */
export const changeInstanceRest = restHandler(
  { roles, query: changeQuery, body: instanceChangeInputSchema },
  async ({ db, user, params, query, body }) => {
    if (query.dryRun === "true") return previewInstanceChange({ db, user }, params.id ?? "", body);
    const result = await changeInstance({ db, user }, params.id ?? "", body);
    return Response.json(result, {
      status: result.changed ? 202 : 200,
      headers: { "cache-control": "no-store" },
    });
  },
);

/** POST /api/v1/instance/{id}/retry/ — 202: a FAILED instance is placed again over the clusters of now. */
export const retryInstanceRest = restHandler({ roles }, async ({ db, user, params }) => {
  const instance = await retryInstance({ db, user }, params.id ?? "");
  return Response.json(instance, { status: 202, headers: { "cache-control": "no-store" } });
});

/** GET /api/v1/instance/{id}/timeline/ — lifecycle events, newest first. */
export const instanceTimelineRest = restHandler({ roles }, async ({ db, user, params }) => {
  const events = await instanceTimeline({ db, user }, params.id ?? "");
  // Event ids are bigint in the database; JSON has no bigint.
  return events.map((event) => ({ ...event, id: event.id.toString() }));
});

/** GET /api/v1/instance/{id}/manifests/ — the rendered manifests; Secret values redacted unless `?reveal=secrets`. */
export const instanceManifestsRest = restHandler(
  { roles, query: revealQuery },
  ({ db, user, params, query }) => instanceManifests({ db, user }, params.id ?? "", revealOf(query)),
);

/** GET /api/v1/instance/{id}/tree/ — the live resource tree; 409 while the instance is not deployed. */
export const instanceTreeRest = restHandler({ roles }, async ({ db, user, params }) => {
  const tree = await instanceDeploymentTree({ db, user }, params.id ?? "");
  if (!tree) {
    throw new RestError(409, "conflict", "The instance is not deployed on a cluster (yet, or any more).");
  }
  return tree;
});

/** GET /api/v1/instance/{id}/placement/ — why this cluster; 404 until the orchestrator decided. */
export const instancePlacementRest = restHandler({ roles }, async ({ db, user, params }) => {
  const decision = await instancePlacement({ db, user }, params.id ?? "");
  if (!decision) {
    throw new RestError(404, "not_found", "The orchestrator has not placed this instance yet.");
  }
  return decision;
});

/** POST /api/v1/instance/{id}/placement/dry-run/ — where it would go now, without moving it. */
export const instanceDryRunRest = restHandler({ roles }, ({ db, user, params }) =>
  dryRunPlacement({ db, user }, params.id ?? ""),
);
