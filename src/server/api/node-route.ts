/**
 * REST routes answered on Node's request and response, for the hot reads
 * (the instance list, an instance's timeline, the intent list: pages/api).
 * An App Router route handler gets a Fetch `Request` and must return a
 * `Response` (a web stream); for a small JSON answer that pair costs about as
 * much CPU as the read itself (bench/README.md "API load"). Here a body-less
 * GET runs the route's own checks and domain function (`restHandler`'s
 * `answerView`: rate limits, bearer token or session cookie, roles, query
 * validation) and its JSON is written straight to the socket. Every other
 * request — a body, another method, an error answer — goes through the
 * route's Fetch handler unchanged, so both paths give the same answers.
 *
 * The security headers are not set here: next.config.ts `headers()` sets them
 * on the response before Next calls the route, for pages/api as for app/.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { restErrorResponse, type NodeRequestView, type RestRoute } from "./rest";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** The route's handlers by method, as an App Router `route.ts` exports them. */
export type NodeRouteMethods = Partial<Record<HttpMethod, RestRoute>>;

/** A Node header as the Fetch `Headers` reads it (repeated headers joined). */
function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(", ") : value;
}

/** The URL a route handler sees: the request's path on the host it was sent to. */
function requestUrl(req: IncomingMessage): string {
  const host = headerValue(req.headers.host) ?? "localhost";
  return `http://${host}${req.url ?? "/"}`;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  if (length !== undefined) return length !== "0";
  return req.headers["transfer-encoding"] !== undefined;
}

/** The Fetch `Request` of a Node request, its body streamed (what Next makes for app/ routes). */
export function fetchRequestOf(req: IncomingMessage, url: string = requestUrl(req)): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  const method = req.method ?? "GET";
  const withBody = method !== "GET" && method !== "HEAD" && hasBody(req);
  return new Request(url, {
    method,
    headers,
    ...(withBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" as const } : {}),
  });
}

/** A Node request as the REST checks read it; a Fetch Request only if a handler asks. */
export function nodeRequestView(req: IncomingMessage): NodeRequestView {
  const url = requestUrl(req);
  return {
    method: req.method ?? "GET",
    url,
    headers: {
      get: (name: string) => headerValue(req.headers[name.toLowerCase()]),
      has: (name: string) => req.headers[name.toLowerCase()] !== undefined,
    },
    toRequest: () => fetchRequestOf(req, url),
  };
}

/** A Fetch `Response` written to Node's response (headers set before keep theirs unless replaced). */
export async function writeResponse(res: ServerResponse, response: Response, head = false): Promise<void> {
  res.statusCode = response.status;
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (!response.body || head) {
    await response.body?.cancel();
    res.end();
    return;
  }
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
  res.end();
}

const ALL_METHODS: readonly HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** The methods the route answers, as App Router lists them in Allow (HEAD with GET, OPTIONS always). */
function allowed(methods: NodeRouteMethods): string {
  const names: string[] = ALL_METHODS.filter((m) => methods[m]);
  if (methods.GET) names.push("HEAD");
  names.push("OPTIONS");
  return names.sort().join(", ");
}

/**
 * Answers one request for a route: a body-less GET on the direct path, any
 * other method through its Fetch handler; HEAD, OPTIONS and an unknown method
 * as App Router answers them (GET without the body, 204 with Allow, 405).
 */
export async function serveNodeRoute(
  methods: NodeRouteMethods,
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string>,
): Promise<void> {
  const method = (req.method ?? "GET").toUpperCase();
  if (method === "OPTIONS") {
    res.statusCode = 204;
    res.setHeader("allow", allowed(methods));
    res.end();
    return;
  }
  const route = method === "HEAD" ? methods.GET : methods[method as HttpMethod];
  if (!route) {
    res.statusCode = 405;
    res.setHeader("allow", allowed(methods));
    res.end();
    return;
  }
  if (method === "GET" && route.answerView && !hasBody(req)) {
    const view = nodeRequestView(req);
    let result: unknown;
    try {
      result = await route.answerView(view, params);
    } catch (error) {
      await writeResponse(res, restErrorResponse(error, view.url));
      return;
    }
    if (result instanceof Response) {
      await writeResponse(res, result);
      return;
    }
    // Response.json's bytes and headers, without the Response; written as Next.js streams a
    // route handler's body (chunked, so its compression gzips even a short answer), not with
    // a Content-Length, so both paths frame and encode an answer alike.
    res.statusCode = 200;
    res.setHeader("content-type", "application/json");
    res.setHeader("cache-control", "no-store");
    res.write(JSON.stringify(result));
    res.end();
    return;
  }
  const request = fetchRequestOf(req);
  await writeResponse(res, await route(request, { params: Promise.resolve(params) }), method === "HEAD");
}
