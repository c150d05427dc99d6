import type { Prisma } from "@/generated/prisma/client";
import type { FulfilmentStatus, IntentAdminState } from "@/generated/prisma/enums";
import { rolesForArea } from "@/server/auth/areas";
import { hasRole, Role } from "@/server/auth/roles";
import { asUuid, listInputSchema, pageWindow, type ListPage } from "@/server/api/list";
import { createTRPCRouter, roleProcedure } from "@/server/api/trpc";

export const intentListInput = listInputSchema(["id", "status", "intentType", "instanceId"], "id");

export interface IntentRow {
  id: string;
  status: IntentAdminState;
  fulfilment: FulfilmentStatus | null;
  intentType: string;
  instanceId: string;
}

const SORT_COLUMN = {
  id: "id",
  status: "adminState",
  intentType: "intentType",
  instanceId: "instanceId",
} as const;

export const intentRouter = createTRPCRouter({
  /** Intents (deleted ones excluded): a service provider sees their own, an admin all of them. */
  list: roleProcedure(...rolesForArea("intents"))
    .input(intentListInput)
    .query(async ({ ctx, input }): Promise<ListPage<IntentRow>> => {
      const { user } = ctx.session;
      const uuid = asUuid(input.search);
      const where: Prisma.IntentWhereInput = {
        deletedAt: null,
        ...(hasRole(user.roles, Role.NEMO_ADMIN) ? {} : { ownerId: user.id }),
        ...(input.search
          ? {
              OR: [
                { intentType: { contains: input.search, mode: "insensitive" } },
                { externalId: { contains: input.search, mode: "insensitive" } },
                { instance: { releaseName: { contains: input.search, mode: "insensitive" } } },
                { instance: { shortId: { contains: input.search, mode: "insensitive" } } },
                ...(uuid ? [{ id: uuid }, { instanceId: uuid }] : []),
              ],
            }
          : {}),
      };
      const dir = input.direction;
      const orderBy: Prisma.IntentOrderByWithRelationInput[] = [
        { [SORT_COLUMN[input.sort]]: dir },
        { id: dir },
      ];
      const [total, rows] = await ctx.db.$transaction([
        ctx.db.intent.count({ where }),
        ctx.db.intent.findMany({
          where,
          orderBy,
          ...pageWindow(input),
          select: { id: true, adminState: true, lastFulfilment: true, intentType: true, instanceId: true },
        }),
      ]);
      return {
        items: rows.map((row) => ({
          id: row.id,
          status: row.adminState,
          fulfilment: row.lastFulfilment,
          intentType: row.intentType,
          instanceId: row.instanceId,
        })),
        total,
        page: input.page,
        pageSize: input.pageSize,
      };
    }),
});
