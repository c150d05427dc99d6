import { z } from "zod";
import { rolesForArea } from "@/common/areas";
import { createTRPCRouter, roleProcedure } from "@/server/api/trpc";
import {
  clusterIdSchema,
  clusterListInput,
  clusterMetricsInput,
  getCluster,
  getClusterMetrics,
  getClusterProperties,
  listClusters,
} from "@/server/clusters";
import { deregisterCluster, registerCluster, registerClusterInputSchema } from "@/server/clusters";
import { clusterDrainStatus, drainCluster, uncordonCluster } from "@/server/cluster-migration";

/**
 * Resource Provisioning for the console. The domain functions decide who may
 * see and manage which cluster (REST /api/v1/cluster calls the same ones); the
 * role guard here only answers early. Someone else's cluster is NOT_FOUND.
 */
const clusterProcedure = roleProcedure(...rolesForArea("clusters"));
const byId = z.object({ id: clusterIdSchema });

export const clusterRouter = createTRPCRouter({
  /** The clusters table: an infrastructure provider's own clusters; every cluster for admins and service providers. */
  list: clusterProcedure
    .input(clusterListInput)
    .query(({ ctx, input }) => listClusters(ctx.db, ctx.session.user, input)),

  get: clusterProcedure.input(byId).query(({ ctx, input }) => getCluster(ctx.db, ctx.session.user, input.id)),

  /** The detail: the cluster, its record as the Meta-Orchestrator keeps it, and what the caller may do. */
  properties: clusterProcedure
    .input(byId)
    .query(({ ctx, input }) => getClusterProperties(ctx.db, ctx.session.user, input.id)),

  /**
   * Saves the cluster PENDING and asks the MO to join it. Parsed here as well
   * as in the domain so the form gets every field's message at once (zodError).
   */
  register: clusterProcedure
    .input(registerClusterInputSchema)
    .mutation(({ ctx, input }) => registerCluster(ctx.db, ctx.session.user, input)),

  /** Refused (CONFLICT) while instances run on the cluster. */
  deregister: clusterProcedure
    .input(byId)
    .mutation(({ ctx, input }) => deregisterCluster(ctx.db, ctx.session.user, input.id)),

  /**
   * Cordons the cluster and migrates every instance on it away (admins and the
   * cluster's provider; another provider's cluster is NOT_FOUND). Again: retries what is left.
   */
  drain: clusterProcedure
    .input(byId)
    .mutation(({ ctx, input }) => drainCluster({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** Lifts the cordon: the cluster takes placements again. */
  uncordon: clusterProcedure
    .input(byId)
    .mutation(({ ctx, input }) => uncordonCluster({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** The drain's progress: moved of total, and each instance still on the cluster with its state and reason. */
  drainStatus: clusterProcedure
    .input(byId)
    .query(({ ctx, input }) => clusterDrainStatus({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** Usage samples over the range, oldest first, plus the latest sample for the live values. */
  metrics: clusterProcedure
    .input(clusterMetricsInput)
    .query(({ ctx, input }) => getClusterMetrics(ctx.db, ctx.session.user, input)),
});
