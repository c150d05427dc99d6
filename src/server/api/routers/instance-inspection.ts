import { Role } from "@/common/roles";
import { createTRPCRouter, roleProcedure } from "@/server/api/trpc";
import {
  instanceEvents,
  instanceEventsInputSchema,
  instanceLiveObject,
  instancePodLogs,
  liveObjectInputSchema,
  podLogsInputSchema,
} from "@/server/instances";

/**
 * The deployment tree's drawer: a pod's log, events and an object's live
 * YAML, read from the instance's cluster. The domain checks who may read
 * (the owner, admins, the infrastructure provider of the instance's
 * cluster; anyone else "not found") and that the instance is on a cluster.
 */
const inspectProcedure = roleProcedure(Role.NEMO_ADMIN, Role.SERVICE_PROVIDER, Role.INFRASTRUCTURE_PROVIDER);

export const instanceInspectionRouter = createTRPCRouter({
  /** The last lines of a container (`tailLines`), or those after `sinceCursor` (follow by polling). */
  podLogs: inspectProcedure
    .input(podLogsInputSchema)
    .query(({ ctx, input }) => instancePodLogs({ db: ctx.db, user: ctx.session.user }, input)),

  /** Events of the instance's namespace, or of one object (`kind` and `name`), oldest first. */
  events: inspectProcedure
    .input(instanceEventsInputSchema)
    .query(({ ctx, input }) => instanceEvents({ db: ctx.db, user: ctx.session.user }, input)),

  /** The object as the cluster holds it now, JSON and YAML; a Secret's values redacted. */
  liveObject: inspectProcedure
    .input(liveObjectInputSchema)
    .query(({ ctx, input }) => instanceLiveObject({ db: ctx.db, user: ctx.session.user }, input)),
});
