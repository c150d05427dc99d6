import type { Prisma } from "@/generated/prisma/client";
import type { ClusterStatus } from "@/generated/prisma/enums";
import { rolesForArea } from "@/server/auth/areas";
import { hasAnyRole, Role } from "@/server/auth/roles";
import { asUuid, listInputSchema, pageWindow, type ListPage } from "@/server/api/list";
import { createTRPCRouter, roleProcedure } from "@/server/api/trpc";

export const clusterListInput = listInputSchema(
  ["id", "name", "status", "endpoint", "cpus", "storageGb", "memoryGb", "vramGb"],
  "name",
);

export interface ClusterRow {
  id: string;
  name: string;
  status: ClusterStatus;
  endpoint: string;
  cpus: number;
  storageGb: number;
  memoryGb: number;
  vramGb: number;
  owner: string;
}

const SORT_COLUMN = {
  id: "id",
  name: "name",
  status: "status",
  endpoint: "managedApi",
  cpus: "cpus",
  storageGb: "storageGb",
  memoryGb: "memoryGb",
  vramGb: "vramGb",
} as const;

export const clusterRouter = createTRPCRouter({
  /**
   * Clusters: an infrastructure provider sees their own; admins see all, and
   * service providers see all read-only (they choose where to deploy). The
   * kubeconfig ciphertext is never selected.
   */
  list: roleProcedure(...rolesForArea("clusters"))
    .input(clusterListInput)
    .query(async ({ ctx, input }): Promise<ListPage<ClusterRow>> => {
      const { user } = ctx.session;
      const seesAll = hasAnyRole(user.roles, [Role.NEMO_ADMIN, Role.SERVICE_PROVIDER]);
      const uuid = asUuid(input.search);
      const where: Prisma.ClusterWhereInput = {
        ...(seesAll ? {} : { ownerId: user.id }),
        ...(input.search
          ? {
              OR: [
                { name: { contains: input.search, mode: "insensitive" } },
                { managedApi: { contains: input.search, mode: "insensitive" } },
                ...(uuid ? [{ id: uuid }] : []),
              ],
            }
          : {}),
      };
      const dir = input.direction;
      const orderBy: Prisma.ClusterOrderByWithRelationInput[] = [
        { [SORT_COLUMN[input.sort]]: dir },
        { id: dir },
      ];
      const [total, rows] = await ctx.db.$transaction([
        ctx.db.cluster.count({ where }),
        ctx.db.cluster.findMany({
          where,
          orderBy,
          ...pageWindow(input),
          select: {
            id: true,
            name: true,
            status: true,
            managedApi: true,
            cpus: true,
            storageGb: true,
            memoryGb: true,
            vramGb: true,
            owner: { select: { username: true } },
          },
        }),
      ]);
      return {
        items: rows.map(({ managedApi, owner, ...row }) => ({
          ...row,
          endpoint: managedApi,
          owner: owner.username,
        })),
        total,
        page: input.page,
        pageSize: input.pageSize,
      };
    }),
});
