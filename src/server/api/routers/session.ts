import { AREAS, areaAccess, type AreaAccess, type AreaKey } from "@/common/areas";
import { createTRPCRouter, protectedProcedure } from "@/server/api/trpc";
import { serverEnv } from "@/server/env";

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
  /**
   * What the "Use the API" page shows a script author: the console's URL, the
   * realm (its token endpoint takes the client-credentials grant), the audience
   * API tokens must carry, and whether the local issuer's service accounts apply.
   * No secret: client secrets live with the identity provider and the automation.
   */
  apiAccess: protectedProcedure.query(() => {
    const env = serverEnv();
    return {
      consoleUrl: env.NEXTAUTH_URL,
      issuer: env.KEYCLOAK_ISSUER,
      audience: env.KEYCLOAK_AUDIENCE ?? env.KEYCLOAK_CLIENT_ID,
      localIssuer: env.NEMO_LOCAL_ISSUER,
    };
  }),
});
