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
import { db, isDatabaseUnavailable, type Db } from "@/server/db";
import { clientIp, rateBudgets } from "@/server/edge";
import { serverEnv } from "@/server/env";
import { DomainError, type DomainErrorKind } from "@/server/errors";
import { humanZodMessage } from "@/common/human-issues";
import { logger } from "@/server/logger";

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
    // Sentences for people (common/human-issues.ts): a schema's own message, else zod's text translated.
    const message = humanZodMessage(issue);
    if (!path) result.formErrors.push(message);
    else (result.fieldErrors[path] ??= []).push(message);
  }
  return result;
}

export const UNEXPECTED_ERROR_MESSAGE = "Unexpected error.";
export const UNAVAILABLE_MESSAGE = "The service is temporarily unavailable; try again shortly.";

/** A refused call's wait, carried to the HTTP answer's Retry-After (trpc-http.ts). */
export class RetryAfter extends Error {
  override readonly name = "RetryAfter";
  constructor(readonly seconds: number) {
    super(`retry after ${seconds} s`);
  }
}

/** The database being unreachable, wherever it surfaced (a procedure, the context, a middleware). */
export function isUnavailableError(error: TRPCError): boolean {
  return error.code === "SERVICE_UNAVAILABLE" || isDatabaseUnavailable(error.cause);
}

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    // Invalid input: a message beside each field (`zodError`); a domain error
    // names its one field (a duplicate name + version → "version") and, for a
    // chart or YAML, its problems.
    const domain = error.cause instanceof DomainError ? error.cause : undefined;
    // Never the driver's or SQL text, nor a stack, whatever NODE_ENV says: trpc-http.ts logs the real error.
    const unavailable = isUnavailableError(error);
    const unexpected = !unavailable && error.code === "INTERNAL_SERVER_ERROR" && !domain;
    const { stack: _stack, ...data } = shape.data;
    return {
      ...shape,
      message: unavailable ? UNAVAILABLE_MESSAGE : unexpected ? UNEXPECTED_ERROR_MESSAGE : shape.message,
      data: {
        ...data,
        ...(unavailable ? { code: "SERVICE_UNAVAILABLE" as const, httpStatus: 503 } : {}),
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

/**
 * Domain functions throw DomainError; procedures answer with the matching tRPC code (and HTTP status).
 * An unreachable database answers SERVICE_UNAVAILABLE (503, with Retry-After from trpc-http.ts).
 */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODE[cause.kind], message: cause.message, cause });
  }
  if (!result.ok && isDatabaseUnavailable(result.error.cause)) {
    throw new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: UNAVAILABLE_MESSAGE,
      cause: result.error.cause,
    });
  }
  return result;
});

const log = logger.child({ module: "trpc" });

/**
 * Mutations spend the tRPC mutation budget, per client address and per
 * signed-in user (429 + Retry-After); queries are not limited (the console's
 * pages poll them).
 */
const mutationBudget = t.middleware(({ type, ctx, next, path }) => {
  if (type !== "mutation") return next();
  const decision = rateBudgets().trpcMutation.take({
    ip: clientIp(ctx.headers, serverEnv().NEMO_TRUSTED_PROXY_HOPS),
    user: ctx.session?.user.id ?? null,
  });
  if (!decision.allowed) {
    log.warn({ path, user: ctx.session?.user.id }, "tRPC mutation rate limit reached");
    throw new TRPCError({
      code: "TOO_MANY_REQUESTS",
      message: `Too many changes at once: try again in ${decision.retryAfterSeconds} s.`,
      cause: new RetryAfter(decision.retryAfterSeconds),
    });
  }
  return next();
});

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;

export const publicProcedure = t.procedure.use(mutationBudget).use(domainErrors);

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
