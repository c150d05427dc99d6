/**
 * The hot REST reads — `GET /api/v1/instance/`, `GET /api/v1/instance/{id}/timeline/`,
 * `GET /api/v1/intent/` — answered by the web process (workers/web.ts) on
 * Node's request and response before Next.js routes the request. Their App
 * Router route files stay and serve every other method; these GETs run the
 * very same `restHandler` (rate limits, bearer token or session cookie,
 * roles, query validation, the domain function; node-route.ts) without the
 * Fetch Request/Response pair that costs an App Router route about as much
 * CPU as the read itself (bench/README.md "API load").
 *
 * What Next.js adds to every answer is added here too: the security headers
 * of next.config.ts (one list, src/server/edge/response-headers.ts), gzip by
 * Next's own compression middleware when the client accepts it, and
 * X-Forwarded-For from the socket when the request carries none (the per-address
 * budget reads it).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { apiJsonHeaders } from "@/server/edge";
import { serveNodeRoute } from "./node-route";
import type { RestRoute } from "./rest";
import { listInstancesRest, instanceTimelineRest } from "./v1/instance";
import { listIntentsRest } from "./v1/intent";

interface HotRead {
  /** The path, with or without its trailing slash (Next serves both: skipTrailingSlashRedirect). */
  pattern: RegExp;
  route: RestRoute;
}

const HOT_READS: readonly HotRead[] = [
  { pattern: /^\/api\/v1\/instance\/?$/, route: listInstancesRest },
  // One plain segment: anything Next would normalise first (dots, encoded slashes) is left to Next.
  { pattern: /^\/api\/v1\/instance\/([\w-]+)\/timeline\/?$/, route: instanceTimelineRest },
  { pattern: /^\/api\/v1\/intent\/?$/, route: listIntentsRest },
];

/** The hot read a request is, with its route params; null for anything Next.js serves. */
export function hotReadOf(
  method: string | undefined,
  url: string | undefined,
): { route: RestRoute; params: Record<string, string> } | null {
  if (method !== "GET" || !url) return null;
  const query = url.indexOf("?");
  const pathname = query < 0 ? url : url.slice(0, query);
  for (const read of HOT_READS) {
    const match = read.pattern.exec(pathname);
    if (match) return { route: read.route, params: match[1] ? { id: match[1] } : {} };
  }
  return null;
}

/**
 * The Vary header Next.js puts on every App Router answer (its RSC request
 * headers); compression appends Accept-Encoding, so the whole header is the
 * same on both paths.
 */
export const NEXT_ROUTE_VARY =
  "rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch";

/** Middleware of the shape Next's compression is: (req, res, next). */
export type Compression = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * Answers the request when it is a hot read and says so; false leaves it to
 * Next.js. `compress` is Next's compression middleware (workers/web.ts passes
 * the one `next start` uses).
 */
export function serveHotRead(
  req: IncomingMessage,
  res: ServerResponse,
  compress?: Compression,
  onError: (error: unknown) => void = () => undefined,
): boolean {
  const hot = hotReadOf(req.method, req.url);
  if (!hot) return false;
  // As Next.js does before routing: the socket's address when no proxy named the client.
  req.headers["x-forwarded-for"] ??= req.socket.remoteAddress ?? "";
  const proto = req.headers["x-forwarded-proto"];
  for (const { key, value } of apiJsonHeaders(Array.isArray(proto) ? proto[0] : proto)) {
    res.setHeader(key, value);
  }
  res.setHeader("vary", NEXT_ROUTE_VARY);
  compress?.(req, res, () => undefined);
  serveNodeRoute({ GET: hot.route }, req, res, hot.params).catch((error: unknown) => {
    // serveNodeRoute answers every error itself; this is a write that failed (the client left).
    onError(error);
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  });
  return true;
}
