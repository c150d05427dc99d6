import type { Prisma } from "@/generated/prisma/client";
import { rolesForArea } from "@/server/auth/areas";
import { hasRole, Role } from "@/server/auth/roles";
import { asInteger, listInputSchema, pageWindow, type ListPage } from "@/server/api/list";
import { createTRPCRouter, roleProcedure } from "@/server/api/trpc";

export const workloadListInput = listInputSchema(
  ["id", "name", "version", "status", "ingressSupport", "user"],
  "id",
);

export interface WorkloadRow {
  id: number;
  name: string;
  version: string;
  status: "PENDING" | "ACCEPTED";
  ingressSupport: boolean;
  user: string;
}

export const workloadRouter = createTRPCRouter({
  /** Workloads: a service provider sees their own, an admin all of them. */
  list: roleProcedure(...rolesForArea("workloads"))
    .input(workloadListInput)
    .query(async ({ ctx, input }): Promise<ListPage<WorkloadRow>> => {
      const { user } = ctx.session;
      const id = asInteger(input.search);
      const where: Prisma.WorkloadWhereInput = {
        ...(hasRole(user.roles, Role.NEMO_ADMIN) ? {} : { ownerId: user.id }),
        ...(input.search
          ? {
              OR: [
                { name: { contains: input.search, mode: "insensitive" } },
                { version: { contains: input.search, mode: "insensitive" } },
                { owner: { username: { contains: input.search, mode: "insensitive" } } },
                ...(id !== undefined ? [{ id }] : []),
              ],
            }
          : {}),
      };
      const dir = input.direction;
      const orderBy: Prisma.WorkloadOrderByWithRelationInput[] = [
        input.sort === "user" ? { owner: { username: dir } } : { [input.sort]: dir },
        { id: dir },
      ];
      const [total, rows] = await ctx.db.$transaction([
        ctx.db.workload.count({ where }),
        ctx.db.workload.findMany({
          where,
          orderBy,
          ...pageWindow(input),
          select: {
            id: true,
            name: true,
            version: true,
            status: true,
            ingressSupport: true,
            owner: { select: { username: true } },
          },
        }),
      ]);
      return {
        items: rows.map(({ owner, ...row }) => ({ ...row, user: owner.username })),
        total,
        page: input.page,
        pageSize: input.pageSize,
      };
    }),
});
