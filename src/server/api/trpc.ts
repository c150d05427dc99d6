/**
 * tRPC setup: context, procedure kinds and the error shape. Procedure kinds
 * are created here only; routers pick the one that states who may call them.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
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

/**
 * Invalid input as the forms read it — the one encoding of field errors:
 * zod's flattened shape, but keyed by the whole dotted input path, so a
 * nested form's row gets its own message ("intent.targets.0.targetValue";
 * a top-level field keeps its plain name, as `z.flattenError` has it).
 */
export interface FieldErrors {
  formErrors: string[];
  fieldErrors: Record<string, string[]>;
}

function fieldErrorsOf(error: ZodError): FieldErrors {
  const result: FieldErrors = { formErrors: [], fieldErrors: {} };
  for (const issue of error.issues) {
    const path = issue.path.map(String).join(".");
    if (!path) result.formErrors.push(issue.message);
    else (result.fieldErrors[path] ??= []).push(issue.message);
  }
  return result;
}

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    // Invalid input: a message beside each field (`zodError`); a domain error
    // names its one field (a duplicate name + version → "version") and, for a
    // chart or YAML, its problems.
    const domain = error.cause instanceof DomainError ? error.cause : undefined;
    return {
      ...shape,
      data: {
        ...shape.data,
        zodError: error.cause instanceof ZodError ? fieldErrorsOf(error.cause) : null,
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
