import { z } from "zod";
import type { DriftStatus, InstanceStatus } from "@/generated/prisma/enums";
import {
  listInputSchema,
  type ListPage,
  queryPageFields,
  queryShowInactiveField,
  showInactiveField,
} from "@/common/pagination";
import {
  asInteger,
  asUuid,
  containsPattern,
  pageItems,
  pageStatement,
  pageWindow,
  readRows,
  SqlParams,
  type PageStatementRow,
} from "@/server/db";
import { hasAnyRole, hasRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { DomainError, parseOrThrow } from "@/server/errors";
import { INSTANCE_STATUSES } from "@/common/instance-status";

/**
 * The Workload Instances table (and GET /api/v1/instance/): one page of the
 * caller's instances — all of them for an admin — searched, sorted and
 * optionally narrowed to one status or one workload ("view instances of
 * this workload"). tRPC and REST both call listInstances. One hand-written
 * statement (src/server/db/rows.ts: the total and the page together), since
 * the ORM's per-request work cost more CPU than the rest of a REST read.
 */

export const instanceStatusSchema = z.enum(INSTANCE_STATUSES, {
  error: `Use one of the statuses ${INSTANCE_STATUSES.join(", ")}.`,
});

const workloadFilterSchema = z.coerce
  .number({ error: "The workload id must be a positive integer." })
  .int("The workload id must be a positive integer.")
  .positive("The workload id must be a positive integer.")
  .max(2_147_483_647, "The workload id is too large.");

const baseListInput = listInputSchema(
  ["createdAt", "shortId", "releaseName", "workloadId", "status", "cluster", "id", "workload", "owner"],
  "createdAt",
  "desc",
);

export const instanceListInput = baseListInput.extend({
  status: instanceStatusSchema.optional(),
  workloadId: workloadFilterSchema.optional(),
  /** DELETED instances are left out unless asked for (or filtered for by status). */
  showInactive: showInactiveField,
});
export type InstanceListInput = z.input<typeof instanceListInput>;
export type InstanceSort = z.output<typeof instanceListInput>["sort"];

/** The same list from a URL query string: numbers arrive as text. */
export const instanceListQuery = instanceListInput.extend({
  ...queryPageFields,
  showInactive: queryShowInactiveField,
});

export const instanceRowSchema = z.object({
  id: z.uuid(),
  shortId: z.string().describe("7-character instance id (also the namespace suffix)."),
  releaseName: z.string(),
  workloadId: z.number().int(),
  workload: z.string().describe('The workload as "name version".'),
  workloadName: z.string(),
  workloadVersion: z.string(),
  owner: z.string().describe("Username of the service provider who created it."),
  status: instanceStatusSchema,
  statusReason: z.string().nullable().describe("Why the instance is FAILED (or what it is waiting for)."),
  cluster: z.string().nullable().describe("The cluster it runs on; null until placed."),
  createdAt: z.iso.datetime(),
  drift: z
    .enum(["unknown", "in_sync", "drifted"])
    .nullable()
    .describe(
      "Whether its live objects still match its manifests (the periodic drift check; details at " +
        "`/api/v1/instance/{id}/drift/`); null while it is not DEPLOYED.",
    ),
});
export type InstanceRow = Omit<z.infer<typeof instanceRowSchema>, "createdAt"> & { createdAt: Date };

const INSTANCE_ROLES = [Role.NEMO_ADMIN, Role.SERVICE_PROVIDER];

/** The page's order per sort: constant SQL (`wi` instances, `w` workloads, `u` owners, `c` clusters); the id breaks ties. */
const SORT_SQL = {
  createdAt: ["wi.created_at"],
  shortId: ["wi.short_id"],
  releaseName: ["wi.release_name"],
  workloadId: ["wi.workload_id"],
  status: ["wi.status"],
  cluster: ["c.name"],
  id: ["wi.id"],
  workload: ["w.name", "w.version"],
  owner: ["u.username"],
} as const satisfies Record<InstanceSort, readonly string[]>;

/** A row of the list's statement (pageStatement). */
interface InstanceListRow extends PageStatementRow {
  id: string;
  shortId: string;
  releaseName: string;
  workloadId: number;
  status: InstanceStatus;
  statusReason: string | null;
  createdAt: Date;
  driftStatus: DriftStatus;
  workloadName: string;
  workloadVersion: string;
  owner: string;
  cluster: string | null;
}

export async function listInstances(
  deps: { db: Db; user: SessionUser },
  input: InstanceListInput,
): Promise<ListPage<InstanceRow>> {
  const { db, user } = deps;
  if (!hasAnyRole(user.roles, INSTANCE_ROLES)) {
    throw new DomainError(
      "forbidden",
      "Only service providers and NEMO admins can manage workload instances.",
    );
  }
  const query = parseOrThrow(instanceListInput, input);
  const uuid = asUuid(query.search);
  const number = asInteger(query.search);
  const params = new SqlParams();
  const where: string[] = [];
  if (!hasRole(user.roles, Role.NEMO_ADMIN)) where.push(`wi.owner_id = ${params.add(user.id)}::uuid`);
  if (query.status) where.push(`wi.status = ${params.add(query.status)}::"InstanceStatus"`);
  else if (!query.showInactive) where.push(`wi.status <> 'DELETED'`);
  if (query.workloadId !== undefined) where.push(`wi.workload_id = ${params.add(query.workloadId)}::int`);
  if (query.search) {
    const text = containsPattern(query.search);
    const pattern = text === null ? null : params.add(text);
    const any = pattern
      ? [
          `wi.release_name ILIKE ${pattern}`,
          `wi.short_id ILIKE ${pattern}`,
          `c.name ILIKE ${pattern}`,
          `w.name ILIKE ${pattern}`,
        ]
      : [];
    if (uuid) any.push(`wi.id = ${params.add(uuid)}::uuid`);
    if (number !== undefined) any.push(`wi.workload_id = ${params.add(number)}::int`);
    where.push(any.length > 0 ? `(${any.join(" OR ")})` : "FALSE");
  }
  const dir = query.direction === "desc" ? "DESC" : "ASC";
  const orderBy = [...SORT_SQL[query.sort], "wi.id"].map((column) => `${column} ${dir}`).join(", ");
  const window = pageWindow(query);
  const rows = await readRows<InstanceListRow>(
    db,
    pageStatement({
      select: `wi.id, wi.short_id AS "shortId", wi.release_name AS "releaseName", wi.workload_id AS "workloadId",
        wi.status::text AS status, wi.status_reason AS "statusReason", wi.created_at AS "createdAt",
        wi.drift_status::text AS "driftStatus", w.name AS "workloadName", w.version AS "workloadVersion",
        u.username AS owner, c.name AS cluster`,
      // LEFT JOINs on primary keys: the count leaves out those its filter does not name.
      from: `workload_instances wi
        LEFT JOIN workloads w ON w.id = wi.workload_id
        LEFT JOIN users u ON u.id = wi.owner_id
        LEFT JOIN clusters c ON c.id = wi.cluster_id`,
      where: where.length > 0 ? where.join(" AND ") : "TRUE",
      orderBy,
      limit: params.add(window.take),
      offset: params.add(window.skip),
    }),
    params.values,
  );
  const page = pageItems(rows);
  return {
    items: page.rows.map((row) => ({
      id: row.id,
      shortId: row.shortId,
      releaseName: row.releaseName,
      workloadId: row.workloadId,
      status: row.status,
      statusReason: row.statusReason,
      createdAt: row.createdAt,
      drift: row.status === "DEPLOYED" ? row.driftStatus : null,
      workload: `${row.workloadName} ${row.workloadVersion}`,
      workloadName: row.workloadName,
      workloadVersion: row.workloadVersion,
      owner: row.owner,
      cluster: row.cluster,
    })),
    total: page.total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

/**
 * Clusters an instance can be proposed for (the form's "Cluster Name"
 * choice): every registered cluster that joined, with the properties intents
 * are judged against so the choice is an informed one.
 */
export async function proposableClusters(deps: { db: Db; user: SessionUser }) {
  if (!hasAnyRole(deps.user.roles, INSTANCE_ROLES)) {
    throw new DomainError(
      "forbidden",
      "Only service providers and NEMO admins can manage workload instances.",
    );
  }
  const rows = await deps.db.cluster.findMany({
    // A cordoned (draining) cluster takes no placements: it is not offered.
    where: { status: "OK", cordoned: false },
    orderBy: { name: "asc" },
    select: { name: true, availabilityPct: true, greenEnergyPct: true, cost: true, vramGb: true },
  });
  return rows.map((c) => ({
    name: c.name,
    availabilityPct: Number(c.availabilityPct),
    greenEnergyPct: c.greenEnergyPct,
    cost: c.cost,
    vramGb: c.vramGb,
  }));
}
