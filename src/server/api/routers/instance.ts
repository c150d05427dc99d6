import { z } from "zod";
import { rolesForArea } from "@/common/areas";
import { createTRPCRouter, roleProcedure } from "@/server/api/trpc";
import {
  changeInstance,
  createInstance,
  instanceChangeOptions,
  createInstanceInputSchema,
  deleteInstance,
  dryRunPlacement,
  instanceDeploymentTree,
  instanceListInput,
  instanceManifests,
  instanceOverview,
  instancePlacement,
  instanceChangeInputSchema,
  instanceTimeline,
  listInstances,
  previewInstanceChange,
  proposableClusters,
  retryInstance,
} from "@/server/instances";

export { instanceListInput };
export type { InstanceRow } from "@/server/instances";

/**
 * Workload instances for the console (creation and the inspection views). Every procedure is one domain call — REST calls the same ones —
 * and the domain checks role and ownership itself (another tenant's
 * instance is "not found"); the role guard here only answers early.
 */
const instanceProcedure = roleProcedure(...rolesForArea("instances"));
// Any string: the domain answers "not found" for what is not an instance id.
const byId = z.object({ id: z.string().max(64) });
/** `revealSecrets`: the owner asks for the values override and Secret values in clear (audited). */
const byIdRevealing = byId.extend({ revealSecrets: z.boolean().optional() });
/** A change of a running instance: new values / version (an upgrade) and / or replicas by hand. */
const byIdChange = byId.extend({ change: instanceChangeInputSchema });

export const instanceRouter = createTRPCRouter({
  /** Workload instances: a service provider sees their own, an admin all of them. */
  list: instanceProcedure
    .input(instanceListInput)
    .query(({ ctx, input }) => listInstances({ db: ctx.db, user: ctx.session.user }, input)),

  /** The instance with its attached intents (the Overview tab); the values override redacted unless revealed. */
  get: instanceProcedure.input(byIdRevealing).query(({ ctx, input }) =>
    instanceOverview({ db: ctx.db, user: ctx.session.user }, input.id, {
      revealSecrets: input.revealSecrets,
    }),
  ),

  /**
   * Renders the workload's chart and stores the instance RENDERED; the
   * orchestrator places and deploys it. Invalid input answers with every
   * field's message (`fieldErrors`), a chart that does not render with the
   * render problems (file:line).
   */
  create: instanceProcedure
    .input(createInstanceInputSchema)
    .mutation(({ ctx, input }) => createInstance({ db: ctx.db, user: ctx.session.user }, input)),

  /** DELETING now; the orchestrator removes it from its cluster and marks it DELETED. */
  delete: instanceProcedure
    .input(byId)
    .mutation(({ ctx, input }) => deleteInstance({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** A FAILED instance placed again over the clusters of now (FAILED → RENDERED; the orchestrator deploys). */
  retry: instanceProcedure
    .input(byId)
    .mutation(({ ctx, input }) => retryInstance({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** What the change dialogs offer: other ACCEPTED versions of its workload, its scalable objects. */
  changeOptions: instanceProcedure
    .input(byId)
    .query(({ ctx, input }) => instanceChangeOptions({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** What a change would do (per-object manifest diff), without doing it: the confirmation's content. */
  previewChange: instanceProcedure
    .input(byIdChange)
    .mutation(({ ctx, input }) =>
      previewInstanceChange({ db: ctx.db, user: ctx.session.user }, input.id, input.change),
    ),

  /** Applies a change to a DEPLOYED instance: new manifests stored, DEPLOYING until its cluster has them. */
  change: instanceProcedure
    .input(byIdChange)
    .mutation(({ ctx, input }) =>
      changeInstance({ db: ctx.db, user: ctx.session.user }, input.id, input.change),
    ),

  /** Lifecycle events, newest first. */
  timeline: instanceProcedure
    .input(byId)
    .query(({ ctx, input }) => instanceTimeline({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** The rendered manifests; Secret values redacted unless the owner reveals them. */
  manifests: instanceProcedure.input(byIdRevealing).query(({ ctx, input }) =>
    instanceManifests({ db: ctx.db, user: ctx.session.user }, input.id, {
      revealSecrets: input.revealSecrets,
    }),
  ),

  /** The stored placement explanation ("why this cluster?"); null until the orchestrator decided. */
  placement: instanceProcedure
    .input(byId)
    .query(({ ctx, input }) => instancePlacement({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** Where the instance would go now, without moving it. */
  dryRun: instanceProcedure
    .input(byId)
    .mutation(({ ctx, input }) => dryRunPlacement({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** The live Deployment → ReplicaSet → Pod tree; null while not deployed. */
  tree: instanceProcedure
    .input(byId)
    .query(({ ctx, input }) => instanceDeploymentTree({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** Registered clusters that joined, for the form's proposed-cluster choice. */
  clusters: instanceProcedure.query(({ ctx }) => proposableClusters({ db: ctx.db, user: ctx.session.user })),
});
