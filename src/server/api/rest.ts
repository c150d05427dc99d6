/**
 * Route-handler helper for the REST API (/api/v1): who is calling (session
 * cookie or bearer access token), may they (roles), is the input valid (zod),
 * and one JSON error shape for all of it:
 *   401 {error:"unauthorized", message}   403 {error:"forbidden", message}
 *   400 {error:"bad_request", message, field}
 */
import type { z, ZodType } from "zod";
import { BearerTokenError, bearerTokenFrom, userFromAccessToken } from "@/server/auth/bearer";
import { sessionUserFromRequest } from "@/server/auth/config";
import { describeRoles, hasAnyRole, type Role } from "@/server/auth/roles";
import type { SessionUser } from "@/server/auth/session";
import { db, type Db } from "@/server/db/client";
import { logger } from "@/server/logger";

const log = logger.child({ module: "rest" });

export type RestErrorCode =
  "unauthorized" | "forbidden" | "bad_request" | "not_found" | "conflict" | "internal";

/** Throw from a handler to answer with a specific status and error code. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: RestErrorCode,
    message: string,
    readonly field?: string | null,
  ) {
    super(message);
    this.name = "RestError";
  }
}

export function errorResponse(error: RestError): Response {
  const body: Record<string, unknown> = { error: error.code, message: error.message };
  if (error.field !== undefined) body.field = error.field;
  return Response.json(body, { status: error.status, headers: { "cache-control": "no-store" } });
}

/** The caller: an explicit bearer token wins over the session cookie. */
export async function authenticate(request: Request, database: Db = db()): Promise<SessionUser> {
  const token = bearerTokenFrom(request.headers);
  if (token) {
    try {
      return await userFromAccessToken(token, database);
    } catch (error) {
      if (error instanceof BearerTokenError) throw new RestError(401, "unauthorized", error.message);
      throw error;
    }
  }
  const user = await sessionUserFromRequest(request);
  if (!user) {
    throw new RestError(
      401,
      "unauthorized",
      "Sign in or send an access token as 'Authorization: Bearer <token>'.",
    );
  }
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

export function restHandler<
  QuerySchema extends ZodType | undefined = undefined,
  BodySchema extends ZodType | undefined = undefined,
>(
  options: RestOptions<QuerySchema, BodySchema>,
  handler: (ctx: RestContext<Parsed<QuerySchema>, Parsed<BodySchema>>) => Promise<unknown>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      const database = db();
      const user = await authenticate(request, database);
      authorize(user, options.roles);
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
      const result = await handler({ request, user, db: database, query, body });
      if (result instanceof Response) return result;
      return Response.json(result, { headers: { "cache-control": "no-store" } });
    } catch (error) {
      if (error instanceof RestError) return errorResponse(error);
      log.error({ err: error, url: request.url }, "REST handler failed");
      return errorResponse(new RestError(500, "internal", "Unexpected error."));
    }
  };
}
