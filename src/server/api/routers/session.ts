import { AREAS, areaAccess, type AreaAccess, type AreaKey } from "@/common/areas";
import { createTRPCRouter, protectedProcedure } from "@/server/api/trpc";

export const sessionRouter = createTRPCRouter({
  /** Who am I: the signed-in user and what each area allows them. */
  me: protectedProcedure.query(({ ctx }) => {
    const { user } = ctx.session;
    const areas = Object.fromEntries(AREAS.map((a) => [a.key, areaAccess(user.roles, a.key)])) as Record<
      AreaKey,
      AreaAccess
    >;
    return { user, areas };
  }),
});
