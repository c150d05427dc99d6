/**
 * REST Intent-Based API, migration part (/api/v1/migration/ and
 * /api/v1/instance/{id}/migrations|migration-options|migrate/). Thin: parse
 * the HTTP request, call the same domain functions as the tRPC migration
 * router, shape the answer. The roles are the router's (the orchestration
 * area reads, admins judge and move); the scoping and the error statuses are
 * the domain's (another tenant's instance is 404, a target that does not
 * qualify 400 on `targetCluster`, an instance that is not DEPLOYED or already
 * migrating 409).
 */
import { restHandler } from "@/server/api/rest";
import { rolesForArea } from "@/common/areas";
import { Role } from "@/common/roles";
import {
  instanceMigrations,
  listMigrations,
  migrationListQuery,
  migrationOptions,
  migrationRequestInput,
  requestMigration,
} from "@/server/cluster-migration";

const roles = rolesForArea("orchestration");
// As in the tRPC router: the domain would show an instance's owner the options read-only; the API offers them to admins only.
const adminRoles = [Role.NEMO_ADMIN];

/** The body of POST …/migrate/: the instance comes from the path. */
export const migrateBody = migrationRequestInput.omit({ instanceId: true });

/** GET /api/v1/migration/ — one page of the migrations the caller may see, newest first by default. */
export const listMigrationsRest = restHandler({ roles, query: migrationListQuery }, ({ db, user, query }) =>
  listMigrations({ db, user }, query),
);

/** GET /api/v1/instance/{id}/migrations/ — the instance's migrations, newest first. */
export const instanceMigrationsRest = restHandler({ roles }, ({ db, user, params }) =>
  instanceMigrations({ db, user }, params.id ?? ""),
);

/** GET /api/v1/instance/{id}/migration-options/ — every cluster's verdict as a target (admins). */
export const migrationOptionsRest = restHandler({ roles: adminRoles }, ({ db, user, params }) =>
  migrationOptions({ db, user }, params.id ?? ""),
);

/**
 * POST /api/v1/instance/{id}/migrate/ — "Migrate now": 202 with the
 * migration REQUESTED (the instance MIGRATING); the agents take it from
 * there, followed at the instance's migrations.
 */
export const migrateInstanceRest = restHandler(
  { roles: adminRoles, body: migrateBody },
  async ({ db, user, params, body }) => {
    const migration = await requestMigration({ db, user }, params.id ?? "", body.targetCluster);
    return Response.json(migration, {
      status: 202,
      headers: {
        location: `/api/v1/instance/${migration.instanceId}/migrations/`,
        "cache-control": "no-store",
      },
    });
  },
);
