import { z } from "zod";
import { rolesForArea } from "@/common/areas";
import { createTRPCRouter, roleProcedure } from "@/server/api/trpc";
import { instanceDrift, resyncInstance } from "@/server/drift";

/**
 * Drift of an instance's live objects from its manifests (src/server/drift):
 * the stored verdict with the drifted objects and fields, and Re-sync. The
 * domain checks role and ownership (another tenant's instance is "not
 * found"); REST calls the same functions.
 */
const driftProcedure = roleProcedure(...rolesForArea("instances"));
// Any string: the domain answers "not found" for what is not an instance id.
const byInstance = z.object({ instanceId: z.string().max(64) });

export const driftRouter = createTRPCRouter({
  /** In sync / Drifted / not checked yet, with which objects and fields differ. */
  forInstance: driftProcedure
    .input(byInstance)
    .query(({ ctx, input }) => instanceDrift({ db: ctx.db, user: ctx.session.user }, input.instanceId)),

  /** Re-applies the stored manifests (owner or admin, DEPLOYED only), then checks again. */
  resync: driftProcedure
    .input(byInstance)
    .mutation(({ ctx, input }) => resyncInstance({ db: ctx.db, user: ctx.session.user }, input.instanceId)),
});
