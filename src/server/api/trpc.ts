/**
 * tRPC setup: context, procedure kinds and the error shape. Procedure kinds
 * are created here only; routers pick the one that states who may call them.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { getServerAuthSession } from "@/server/auth/config";
import { describeRoles, hasAnyRole, type Role } from "@/server/auth/roles";
import type { AuthSession } from "@/server/auth/session";
import { db, type Db } from "@/server/db/client";

export interface TRPCContext {
  db: Db;
  session: AuthSession | null;
  headers: Headers;
}

/** Per-request context for the HTTP handler: the next-auth session from the request cookies. */
export async function createTRPCContext(opts: { headers: Headers }): Promise<TRPCContext> {
  const session = await getServerAuthSession();
  return { db: db(), session, headers: opts.headers };
}

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    // Flattened zod errors let forms show a message beside each field.
    return {
      ...shape,
      data: {
        ...shape.data,
        zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
      },
    };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;

export const publicProcedure = t.procedure;

/** Signed-in users only (UNAUTHORIZED → HTTP 401); narrows `ctx.session`. */
export const protectedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.session) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to use the NEMO Console." });
  }
  return next({ ctx: { ...ctx, session: ctx.session } });
});

/** Signed-in users holding at least one of `roles` (FORBIDDEN → HTTP 403, naming the role). */
export function roleProcedure(...roles: Role[]) {
  return protectedProcedure.use(({ ctx, next }) => {
    if (!hasAnyRole(ctx.session.user.roles, roles)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `This needs the ${describeRoles(roles)} role.`,
      });
    }
    return next();
  });
}
