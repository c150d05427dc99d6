import { z } from "zod";
import { rolesForArea } from "@/common/areas";
import { Role } from "@/common/roles";
import { createTRPCRouter, roleProcedure } from "@/server/api/trpc";
import {
  instanceMigrations,
  listMigrations,
  migrationClusterNames,
  migrationListInput,
  migrationOptions,
  migrationRequestInput,
  requestMigration,
} from "@/server/cluster-migration";

export { migrationListInput };
export type { MigrationRow } from "@/server/cluster-migration";

/**
 * Intent-based migrations for the console: the Orchestration page,
 * an instance's Migrations tab and the admin's "Migrate now". Every
 * procedure is one domain call; the domain scopes reads (an admin sees every
 * migration, a service provider their instances', an infrastructure provider
 * those leaving or reaching their clusters) and lets only admins move
 * instances. The role guards here only answer early.
 */
const migrationProcedure = roleProcedure(...rolesForArea("orchestration"));
// The domain would show an instance's owner the options read-only; the console offers them to admins only.
const adminProcedure = roleProcedure(Role.NEMO_ADMIN);
// Any string: the domain answers "not found" for what is not an instance id.
const byInstance = z.object({ instanceId: z.string().max(64) });

export const migrationRouter = createTRPCRouter({
  /** Recent migrations, newest first by default, filtered by state, cluster, instance or a search. */
  list: migrationProcedure
    .input(migrationListInput)
    .query(({ ctx, input }) => listMigrations({ db: ctx.db, user: ctx.session.user }, input)),

  /** One instance's migrations, newest first (the instance page's Migrations tab). */
  forInstance: migrationProcedure
    .input(byInstance)
    .query(({ ctx, input }) => instanceMigrations({ db: ctx.db, user: ctx.session.user }, input.instanceId)),

  /** Names of the registered clusters, for the Orchestration page's cluster filter. */
  clusters: migrationProcedure.query(({ ctx }) =>
    // The names the caller may see on Resource Provisioning: an infrastructure provider's own only.
    migrationClusterNames({ db: ctx.db, user: ctx.session.user }),
  ),

  /** Every cluster judged as a migration target for the instance, the recommended one marked. */
  options: adminProcedure
    .input(byInstance)
    .query(({ ctx, input }) => migrationOptions({ db: ctx.db, user: ctx.session.user }, input.instanceId)),

  /** "Migrate now": REQUESTED, the instance MIGRATING; the controller and the agents take it from there. */
  request: adminProcedure
    .input(migrationRequestInput)
    .mutation(({ ctx, input }) =>
      requestMigration({ db: ctx.db, user: ctx.session.user }, input.instanceId, input.targetCluster),
    ),
});
