/**
 * tRPC setup: context, procedure kinds and the error shape. Procedure kinds
 * are created here only; routers pick the one that states who may call them.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { getServerAuthSession } from "@/server/auth";
import { describeRoles, hasAnyRole, type Role } from "@/common/roles";
import type { AuthSession } from "@/server/auth";
import { db, type Db } from "@/server/db";
import { DomainError, type DomainErrorKind } from "@/server/errors";

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

/** The first message for each dotted input path. */
function fieldErrorsByPath(error: ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join(".");
    if (path && !(path in fields)) fields[path] = issue.message;
  }
  return fields;
}

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    // Flattened zod errors let forms show a message beside each field; a
    // domain error names its one field (a duplicate name + version → "version").
    const domain = error.cause instanceof DomainError ? error.cause : undefined;
    return {
      ...shape,
      data: {
        ...shape.data,
        zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
        // flattenError keeps only top-level keys; nested forms (an intent's
        // target rows) need the whole path: "intent.targets.0.targetValue".
        fieldErrors: error.cause instanceof ZodError ? fieldErrorsByPath(error.cause) : null,
        field: domain?.field ?? null,
        problems: domain?.problems ?? null,
      },
    };
  },
});

const TRPC_CODE: Record<DomainErrorKind, TRPCError["code"]> = {
  invalid: "BAD_REQUEST",
  forbidden: "FORBIDDEN",
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  too_large: "PAYLOAD_TOO_LARGE",
  unprocessable: "UNPROCESSABLE_CONTENT",
};

/** Domain functions throw DomainError; procedures answer with the matching tRPC code (and HTTP status). */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODE[cause.kind], message: cause.message, cause });
  }
  return result;
});

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;

export const publicProcedure = t.procedure.use(domainErrors);

/** Signed-in users only (UNAUTHORIZED → HTTP 401); narrows `ctx.session`. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
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
