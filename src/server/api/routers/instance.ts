import type { Prisma } from "@/generated/prisma/client";
import type { InstanceStatus } from "@/generated/prisma/enums";
import { rolesForArea } from "@/server/auth/areas";
import { hasRole, Role } from "@/server/auth/roles";
import { asInteger, asUuid, listInputSchema, pageWindow, type ListPage } from "@/server/api/list";
import { createTRPCRouter, roleProcedure } from "@/server/api/trpc";

export const instanceListInput = listInputSchema(
  ["shortId", "releaseName", "workloadId", "status", "cluster", "id"],
  "shortId",
);

export interface InstanceRow {
  id: string;
  shortId: string;
  releaseName: string;
  workloadId: number;
  status: InstanceStatus;
  cluster: string | null;
}

export const instanceRouter = createTRPCRouter({
  /** Workload instances: a service provider sees their own, an admin all of them. */
  list: roleProcedure(...rolesForArea("instances"))
    .input(instanceListInput)
    .query(async ({ ctx, input }): Promise<ListPage<InstanceRow>> => {
      const { user } = ctx.session;
      const uuid = asUuid(input.search);
      const workloadId = asInteger(input.search);
      const where: Prisma.WorkloadInstanceWhereInput = {
        ...(hasRole(user.roles, Role.NEMO_ADMIN) ? {} : { ownerId: user.id }),
        ...(input.search
          ? {
              OR: [
                { releaseName: { contains: input.search, mode: "insensitive" } },
                { shortId: { contains: input.search, mode: "insensitive" } },
                { cluster: { name: { contains: input.search, mode: "insensitive" } } },
                ...(uuid ? [{ id: uuid }] : []),
                ...(workloadId !== undefined ? [{ workloadId }] : []),
              ],
            }
          : {}),
      };
      const dir = input.direction;
      const orderBy: Prisma.WorkloadInstanceOrderByWithRelationInput[] = [
        input.sort === "cluster" ? { cluster: { name: dir } } : { [input.sort]: dir },
        { id: dir },
      ];
      const [total, rows] = await ctx.db.$transaction([
        ctx.db.workloadInstance.count({ where }),
        ctx.db.workloadInstance.findMany({
          where,
          orderBy,
          ...pageWindow(input),
          select: {
            id: true,
            shortId: true,
            releaseName: true,
            workloadId: true,
            status: true,
            cluster: { select: { name: true } },
          },
        }),
      ]);
      return {
        items: rows.map(({ cluster, ...row }) => ({ ...row, cluster: cluster?.name ?? null })),
        total,
        page: input.page,
        pageSize: input.pageSize,
      };
    }),
});
