/**
 * Route-handler helper for the REST API (/api/v1): who is calling (session
 * cookie or bearer access token), may they (roles), is the input valid (zod),
 * and one JSON error shape for all of it:
 *   401 {error:"unauthorized", message}   403 {error:"forbidden", message}
 *   415 {error:"unsupported_media_type", message} (cookie sessions: csrf.ts)
 *   400 {error:"bad_request", message, field}
 * Domain functions throw DomainError; it becomes its HTTP status here
 * (404 not_found, 409 conflict, 413, 422, …) with the field it names, and an
 * invalid chart adds its `problems` (file, line, message).
 */
import type { z, ZodType } from "zod";
import { BearerTokenError, bearerTokenFrom, userFromAccessToken } from "@/server/auth";
import { sessionUserFromRequest, type SessionUserResolver } from "@/server/auth";
import { describeRoles, hasAnyRole, type Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { db, type Db } from "@/server/db";
import { DomainError, HTTP_STATUS, type DomainErrorKind, type Problem } from "@/server/errors";
import { serverEnv } from "@/server/env";
import { logger } from "@/server/logger";
import { csrfRefusal } from "./csrf";

const log = logger.child({ module: "rest" });

export type RestErrorCode =
  | "unauthorized"
  | "forbidden"
  | "bad_request"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "unprocessable_entity"
  | "internal";

/** Every error code, for the OpenAPI document. */
export const REST_ERROR_CODES: readonly RestErrorCode[] = [
  "unauthorized",
  "forbidden",
  "bad_request",
  "not_found",
  "conflict",
  "payload_too_large",
  "unsupported_media_type",
  "unprocessable_entity",
  "internal",
];

const REST_CODE: Record<DomainErrorKind, RestErrorCode> = {
  invalid: "bad_request",
  forbidden: "forbidden",
  not_found: "not_found",
  conflict: "conflict",
  too_large: "payload_too_large",
  unprocessable: "unprocessable_entity",
};

/** Throw from a handler to answer with a specific status and error code. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: RestErrorCode,
    message: string,
    readonly field?: string | null,
    /** Every problem behind the error (an invalid chart's, with file and line). */
    readonly problems?: readonly Problem[],
  ) {
    super(message);
    this.name = "RestError";
  }
}

/** A domain function's expected failure as the REST answer (status, code, field). */
export function restErrorFrom(error: DomainError): RestError {
  return new RestError(
    HTTP_STATUS[error.kind],
    REST_CODE[error.kind],
    error.message,
    error.field,
    error.problems,
  );
}

export function errorResponse(error: RestError): Response {
  const body: Record<string, unknown> = { error: error.code, message: error.message };
  if (error.field !== undefined) body.field = error.field;
  if (error.problems && error.problems.length > 0) body.problems = error.problems;
  return Response.json(body, { status: error.status, headers: { "cache-control": "no-store" } });
}

/**
 * The caller: an explicit bearer token wins over the session cookie. A
 * cookie-authenticated mutation must also pass the CSRF check (csrf.ts).
 */
export async function authenticate(
  request: Request,
  database: Db = db(),
  users?: SessionUserResolver,
): Promise<SessionUser> {
  const token = bearerTokenFrom(request.headers);
  if (token) {
    try {
      return await userFromAccessToken(token, database);
    } catch (error) {
      if (error instanceof BearerTokenError) throw new RestError(401, "unauthorized", error.message);
      throw error;
    }
  }
  const user = await sessionUserFromRequest(request, users);
  if (!user) {
    throw new RestError(
      401,
      "unauthorized",
      "Sign in or send an access token as 'Authorization: Bearer <token>'.",
    );
  }
  const refusal = csrfRefusal(request, { trustedOrigins: [serverEnv().NEXTAUTH_URL] });
  if (refusal) throw new RestError(refusal.status, refusal.code, refusal.message);
  return user;
}

export function authorize(user: SessionUser, roles: readonly Role[] | undefined): void {
  if (roles && roles.length > 0 && !hasAnyRole(user.roles, roles)) {
    throw new RestError(403, "forbidden", `This needs the ${describeRoles(roles)} role.`);
  }
}

function badRequest(error: z.ZodError, prefix?: string): RestError {
  const issue = error.issues[0];
  const path = issue ? issue.path.map(String).join(".") : "";
  const field = [prefix, path].filter(Boolean).join(".") || null;
  return new RestError(400, "bad_request", issue?.message ?? "Invalid input.", field);
}

export function parseInput<T extends ZodType>(schema: T, value: unknown, prefix?: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(parsed.error, prefix);
  return parsed.data;
}

export interface RestContext<Query, Body> {
  request: Request;
  user: SessionUser;
  db: Db;
  query: Query;
  body: Body;
  /** Dynamic route segments (`/workload/[id]/` → `{ id: "7" }`). */
  params: Record<string, string>;
}

export interface RestOptions<
  QuerySchema extends ZodType | undefined,
  BodySchema extends ZodType | undefined,
> {
  roles?: readonly Role[];
  query?: QuerySchema;
  body?: BodySchema;
}

type Parsed<S> = S extends ZodType ? z.output<S> : undefined;

/** The second argument Next passes to a route handler. */
export interface RouteContext {
  params: Promise<Record<string, string | string[] | undefined> | undefined>;
}

async function routeParams(context: RouteContext | undefined): Promise<Record<string, string>> {
  // Next passes no params (undefined) to routes without dynamic segments.
  const raw = (context ? await context.params : undefined) ?? {};
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === "string") params[key] = value;
  }
  return params;
}

/** 201 Created with the new resource and its location. */
export function created(body: unknown, location: string): Response {
  return Response.json(body, { status: 201, headers: { location, "cache-control": "no-store" } });
}

export function restHandler<
  QuerySchema extends ZodType | undefined = undefined,
  BodySchema extends ZodType | undefined = undefined,
>(
  options: RestOptions<QuerySchema, BodySchema>,
  handler: (ctx: RestContext<Parsed<QuerySchema>, Parsed<BodySchema>>) => Promise<unknown>,
): (request: Request, context?: RouteContext) => Promise<Response> {
  return async (request, context) => {
    try {
      const database = db();
      const user = await authenticate(request, database);
      authorize(user, options.roles);
      const params = await routeParams(context);
      const query = (
        options.query
          ? parseInput(options.query, Object.fromEntries(new URL(request.url).searchParams))
          : undefined
      ) as Parsed<QuerySchema>;
      let body = undefined as Parsed<BodySchema>;
      if (options.body) {
        let json: unknown;
        try {
          json = await request.json();
        } catch {
          throw new RestError(400, "bad_request", "The request body is not valid JSON.", null);
        }
        body = parseInput(options.body, json) as Parsed<BodySchema>;
      }
      const result = await handler({ request, user, db: database, query, body, params });
      if (result instanceof Response) return result;
      return Response.json(result, { headers: { "cache-control": "no-store" } });
    } catch (error) {
      if (error instanceof RestError) return errorResponse(error);
      if (error instanceof DomainError) return errorResponse(restErrorFrom(error));
      log.error({ err: error, url: request.url }, "REST handler failed");
      return errorResponse(new RestError(500, "internal", "Unexpected error."));
    }
  };
}
