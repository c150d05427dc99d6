import { z } from "zod";
import { rolesForArea } from "@/common/areas";
import { Role } from "@/common/roles";
import { createTRPCRouter, roleProcedure } from "@/server/api/trpc";
import {
  archiveWorkload,
  unarchiveWorkload,
  createWorkload,
  deleteWorkload,
  getWorkload,
  listWorkloads,
  patchWorkload,
  clusterScopedApprovalSchema,
  renderWorkload,
  setClusterScopedApproval,
  templateOptionsSchema,
  workloadCreateSchema,
  workloadIdSchema,
  workloadListInput,
  workloadPatchSchema,
} from "@/server/workloads";

export { workloadListInput };
export type { WorkloadRow } from "@/server/workloads";

/**
 * Workload registration for the console. The domain functions check role
 * and ownership themselves (REST calls the same ones); the role guard here
 * only answers early. Chart upload is not a procedure: the browser sends the
 * file to POST /api/v1/workload/upload/ (multipart, with upload progress).
 */
const workloadProcedure = roleProcedure(...rolesForArea("workloads"));
const byId = z.object({ id: workloadIdSchema });

export const workloadRouter = createTRPCRouter({
  /** Registered workloads: a service provider sees their own, an admin all of them. */
  list: workloadProcedure
    .input(workloadListInput)
    .query(({ ctx, input }) => listWorkloads({ db: ctx.db, user: ctx.session.user }, input)),

  get: workloadProcedure
    .input(byId)
    .query(({ ctx, input }) => getWorkload({ db: ctx.db, user: ctx.session.user }, input.id)),

  create: workloadProcedure
    .input(workloadCreateSchema)
    .mutation(({ ctx, input }) => createWorkload({ db: ctx.db, user: ctx.session.user }, input)),

  /** Changes a PENDING workload (any subset of its fields); an ACCEPTED one is immutable. */
  update: workloadProcedure
    .input(z.object({ id: workloadIdSchema, patch: workloadPatchSchema }))
    .mutation(({ ctx, input }) =>
      patchWorkload({ db: ctx.db, user: ctx.session.user }, input.id, input.patch),
    ),

  /** Admins only: let this workload's charts create cluster-scoped objects, or stop them (audited). */
  setClusterScopedApproval: roleProcedure(Role.NEMO_ADMIN)
    .input(clusterScopedApprovalSchema.extend({ id: workloadIdSchema }))
    .mutation(({ ctx, input }) =>
      setClusterScopedApproval({ db: ctx.db, user: ctx.session.user }, input.id, {
        approved: input.approved,
      }),
    ),

  delete: workloadProcedure
    .input(byId)
    .mutation(({ ctx, input }) => deleteWorkload({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** Hides an accepted workload without live instances as inactive; it takes no new instances (CONFLICT otherwise). */
  archive: workloadProcedure
    .input(byId)
    .mutation(({ ctx, input }) => archiveWorkload({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** Lists the workload again; it takes instances again. */
  unarchive: workloadProcedure
    .input(byId)
    .mutation(({ ctx, input }) => unarchiveWorkload({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** The chart rendered (`helm template`), for the manifest viewer; failures come back as problems. */
  manifests: workloadProcedure
    .input(z.object({ id: workloadIdSchema, options: templateOptionsSchema.optional() }))
    .query(({ ctx, input }) =>
      renderWorkload({ db: ctx.db, user: ctx.session.user }, input.id, input.options ?? {}),
    ),
});
