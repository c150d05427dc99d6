/**
 * Route-handler helper for the REST API (/api/v1): who is calling (session
 * cookie or bearer access token), may they (roles), is the input valid (zod),
 * and one JSON error shape for all of it:
 *   401 {error:"unauthorized", message}   403 {error:"forbidden", message}
 *   415 {error:"unsupported_media_type", message} (cookie sessions: csrf.ts; any caller: a body
 *       of a type the route does not read, e.g. text/plain where it takes JSON)
 *   400 {error:"bad_request", message, field}
 *   413 {error:"payload_too_large", message} (body over the route's cap, counted while reading)
 *   429 {error:"too_many_requests", message} + Retry-After (rate limits, per user and per address)
 *   503 {error:"unavailable", message} + Retry-After (the database cannot be reached)
 * Domain functions throw DomainError; it becomes its HTTP status here
 * (404 not_found, 409 conflict, 413, 422, …) with the field it names, and an
 * invalid chart adds its `problems` (file, line, message).
 */
import type { z, ZodType } from "zod";
import { humanErrorMap, humanZodMessage } from "@/common/human-issues";
import { BearerTokenError, bearerTokenFrom, userFromAccessToken } from "@/server/auth";
import { sessionUserFromRequest, type SessionUserResolver } from "@/server/auth";
import { describeRoles, hasAnyRole, type Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { DATABASE_RETRY_AFTER_SECONDS, db, isDatabaseUnavailable, type Db } from "@/server/db";
import { BodyTooLarge, clientIp, rateBudgets, withCappedBody } from "@/server/edge";
import { DomainError, HTTP_STATUS, type DomainErrorKind, type Problem } from "@/server/errors";
import { serverEnv } from "@/server/env";
import { logger } from "@/server/logger";
import { csrfRefusal, hasBody, isMutation, mediaType, type RequestView } from "./csrf";

/** A Node request as the checks read it, and as a Fetch Request when a handler needs one. */
export interface NodeRequestView extends RequestView {
  toRequest(): Request;
}

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
  | "too_many_requests"
  | "internal"
  | "unavailable";

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
  "too_many_requests",
  "internal",
  "unavailable",
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
    /** Seconds for the Retry-After header (429, 503). */
    readonly retryAfterSeconds?: number,
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
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(error.retryAfterSeconds);
  return Response.json(body, { status: error.status, headers });
}

/**
 * The caller: an explicit bearer token wins over the session cookie. A
 * cookie-authenticated mutation must also pass the CSRF check (csrf.ts).
 */
export async function authenticate(
  request: RequestView,
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
  // Sentences for people (common/human-issues.ts), never zod's own text.
  const message = issue ? humanZodMessage(issue) : "Invalid input.";
  return new RestError(400, "bad_request", message, field);
}

export function parseInput<T extends ZodType>(schema: T, value: unknown, prefix?: string): z.output<T> {
  const parsed = schema.safeParse(value, { error: humanErrorMap });
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
  /** The route's body cap (default NEMO_MAX_JSON_BODY_BYTES); uploads set their own. */
  maxBodyBytes?: number;
  /** The 413 answer when the body passes the cap (default: one naming the limit). */
  bodyTooLarge?: () => RestError;
  /**
   * Media types the route reads a body as (default: JSON when `body` is set);
   * any other type is 415, for bearer calls too. A body without a type is read.
   */
  accepts?: readonly string[];
  /**
   * The handler reads the body as a stream itself and enforces its own cap
   * while reading (dataset uploads, stored without being held in memory).
   */
  streamBody?: boolean;
}

const JSON_ONLY = ["application/json"] as const;

/** 415 when a mutation's body has a type the route does not read (`application/*+json` counts as JSON). */
function assertMediaType(request: RequestView, accepts: readonly string[] | undefined): void {
  if (!accepts || !isMutation(request.method) || !hasBody(request)) return;
  const type = mediaType(request);
  if (type === "" || accepts.includes(type)) return;
  if (accepts.includes("application/json") && /^application\/[\w.+-]+\+json$/.test(type)) return;
  throw new RestError(
    415,
    "unsupported_media_type",
    `This route reads ${accepts.join(" or ")} bodies, not ${type}: set the Content-Type header.`,
  );
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

function rateLimited(retryAfterSeconds: number): RestError {
  return new RestError(
    429,
    "too_many_requests",
    `Too many requests: try again in ${retryAfterSeconds} s.`,
    undefined,
    undefined,
    retryAfterSeconds,
  );
}

/** The answer for an error no handler expected: no driver or SQL text, ever (it is logged). */
export function unexpectedErrorResponse(error: unknown, url: string): Response {
  if (isDatabaseUnavailable(error)) {
    log.warn({ err: error, url }, "REST handler: database unavailable");
    return errorResponse(
      new RestError(
        503,
        "unavailable",
        "The service is temporarily unavailable; try again shortly.",
        undefined,
        undefined,
        DATABASE_RETRY_AFTER_SECONDS,
      ),
    );
  }
  log.error({ err: error, url }, "REST handler failed");
  return errorResponse(new RestError(500, "internal", "Unexpected error."));
}

/** 201 Created with the new resource and its location. */
export function created(body: unknown, location: string): Response {
  return Response.json(body, { status: 201, headers: { location, "cache-control": "no-store" } });
}

/**
 * A REST route: the Fetch handler App Router routes export, plus `serveNode`,
 * the same checks and domain function answering a Node request directly
 * (node-route.ts; the hot reads, without the Fetch Request/Response pair).
 */
export interface RestRoute {
  (request: Request, context?: RouteContext): Promise<Response>;
  /**
   * The handler's outcome for a body-less request, or null when the route
   * needs the Fetch path (it reads a body); errors come back as RestErrors.
   */
  readonly answerView:
    ((request: NodeRequestView, params: Record<string, string>) => Promise<unknown>) | null;
}

/** The answer of a handler's result: a Response it made, or its JSON. */
function resultResponse(result: unknown): Response {
  if (result instanceof Response) return result;
  return Response.json(result, { headers: { "cache-control": "no-store" } });
}

/** An error thrown by the checks or the handler as the REST answer. */
export function restErrorResponse(error: unknown, url: string): Response {
  if (error instanceof RestError) return errorResponse(error);
  if (error instanceof DomainError) return errorResponse(restErrorFrom(error));
  return unexpectedErrorResponse(error, url);
}

export function restHandler<
  QuerySchema extends ZodType | undefined = undefined,
  BodySchema extends ZodType | undefined = undefined,
>(
  options: RestOptions<QuerySchema, BodySchema>,
  handler: (ctx: RestContext<Parsed<QuerySchema>, Parsed<BodySchema>>) => Promise<unknown>,
): RestRoute {
  /**
   * Who may ask (rate limits by address then user, authentication, roles, the
   * body's media type): the same for both paths.
   */
  const admit = async (request: RequestView) => {
    const env = serverEnv();
    const budget = rateBudgets().rest;
    // The address first: floods are refused before any token or session is checked.
    const byIp = budget.perIp.take(clientIp(request.headers, env.NEMO_TRUSTED_PROXY_HOPS));
    if (!byIp.allowed) throw rateLimited(byIp.retryAfterSeconds);
    const database = db();
    const user = await authenticate(request, database);
    const byUser = budget.perUser.take(user.id);
    if (!byUser.allowed) throw rateLimited(byUser.retryAfterSeconds);
    authorize(user, options.roles);
    assertMediaType(request, options.accepts ?? (options.body ? JSON_ONLY : undefined));
    return { env, database, user };
  };
  const parseQuery = (url: string) =>
    (options.query
      ? parseInput(options.query, Object.fromEntries(new URL(url).searchParams))
      : undefined) as Parsed<QuerySchema>;

  const route = async (original: Request, context?: RouteContext): Promise<Response> => {
    let request = original;
    try {
      const { env, database, user } = await admit(request);
      const maxBodyBytes = options.maxBodyBytes ?? env.NEMO_MAX_JSON_BODY_BYTES;
      try {
        if (!options.streamBody) request = await withCappedBody(request, maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          throw options.bodyTooLarge?.() ?? new RestError(413, "payload_too_large", error.message, null);
        }
        throw error;
      }
      const params = await routeParams(context);
      const query = parseQuery(request.url);
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
      return resultResponse(await handler({ request, user, db: database, query, body, params }));
    } catch (error) {
      return restErrorResponse(error, request.url);
    }
  };

  // Routes that read a body stay on the Fetch path: the cap and the JSON parsing read a Request.
  const answerView =
    options.body || options.streamBody
      ? null
      : async (view: NodeRequestView, params: Record<string, string>): Promise<unknown> => {
          const { database, user } = await admit(view);
          const query = parseQuery(view.url);
          let request: Request | undefined;
          return handler({
            // Made only if the handler reads it (none of the hot reads does): the same request, body-less.
            get request() {
              request ??= view.toRequest();
              return request;
            },
            user,
            db: database,
            query,
            body: undefined as Parsed<BodySchema>,
            params,
          });
        };
  return Object.assign(route, { answerView });
}
