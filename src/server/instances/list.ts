import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import {
  listInputSchema,
  type ListPage,
  queryPageFields,
  queryShowInactiveField,
  showInactiveField,
} from "@/common/pagination";
import { asInteger, asUuid, pageWindow } from "@/server/db";
import { hasAnyRole, hasRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import type { Db } from "@/server/db";
import { DomainError, parseOrThrow } from "@/server/errors";
import { INSTANCE_STATUSES } from "@/common/instance-status";

/**
 * The Workload Instances table (and GET /api/v1/instance/): one page of the
 * caller's instances — all of them for an admin — searched, sorted and
 * optionally narrowed to one status or one workload ("view instances of
 * this workload"). tRPC and REST both call listInstances.
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
});
export type InstanceRow = Omit<z.infer<typeof instanceRowSchema>, "createdAt"> & { createdAt: Date };

const INSTANCE_ROLES = [Role.NEMO_ADMIN, Role.SERVICE_PROVIDER];

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
  const where: Prisma.WorkloadInstanceWhereInput = {
    ...(hasRole(user.roles, Role.NEMO_ADMIN) ? {} : { ownerId: user.id }),
    ...(query.status
      ? { status: query.status }
      : query.showInactive
        ? {}
        : { status: { not: "DELETED" as const } }),
    ...(query.workloadId !== undefined ? { workloadId: query.workloadId } : {}),
    ...(query.search
      ? {
          OR: [
            { releaseName: { contains: query.search, mode: "insensitive" } },
            { shortId: { contains: query.search, mode: "insensitive" } },
            { cluster: { name: { contains: query.search, mode: "insensitive" } } },
            { workload: { name: { contains: query.search, mode: "insensitive" } } },
            ...(uuid ? [{ id: uuid }] : []),
            ...(number !== undefined ? [{ workloadId: number }] : []),
          ],
        }
      : {}),
  };
  const dir = query.direction;
  const ORDER: Partial<Record<InstanceSort, Prisma.WorkloadInstanceOrderByWithRelationInput[]>> = {
    cluster: [{ cluster: { name: dir } }],
    workload: [{ workload: { name: dir } }, { workload: { version: dir } }],
    owner: [{ owner: { username: dir } }],
  };
  const orderBy: Prisma.WorkloadInstanceOrderByWithRelationInput[] = [
    ...(ORDER[query.sort] ?? [{ [query.sort]: dir }]),
    { id: dir },
  ];
  const [total, rows] = await db.$transaction([
    db.workloadInstance.count({ where }),
    db.workloadInstance.findMany({
      where,
      orderBy,
      ...pageWindow(query),
      select: {
        id: true,
        shortId: true,
        releaseName: true,
        workloadId: true,
        status: true,
        statusReason: true,
        createdAt: true,
        cluster: { select: { name: true } },
        workload: { select: { name: true, version: true } },
        owner: { select: { username: true } },
      },
    }),
  ]);
  return {
    items: rows.map(({ cluster, workload, owner, ...row }) => ({
      ...row,
      workload: `${workload.name} ${workload.version}`,
      workloadName: workload.name,
      workloadVersion: workload.version,
      owner: owner.username,
      cluster: cluster?.name ?? null,
    })),
    total,
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
    where: { status: "OK" },
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
