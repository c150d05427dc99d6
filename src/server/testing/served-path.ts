import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hotReadOf, serveHotRead } from "@/server/api/hot-reads";
import type { RestHandler } from "./rest-session";

/*
 * REST calls as the web process serves them (workers/web.ts): a hot read
 * (src/server/api/hot-reads.ts) goes over a real socket to a node:http server
 * answering it with `serveHotRead`, exactly as the web process does before
 * Next.js; any other request goes to the App Router route handler itself, as
 * Next.js calls it. Int tests of those routes call through this, so they hold
 * for the path that serves them.
 */

let served: Promise<string> | undefined;

/** The hot-read server of this test process (started once, on a free port; never keeps the process alive). */
export function hotReadServer(): Promise<string> {
  served ??= new Promise((resolve) => {
    const server: Server = createServer((req, res) => {
      if (!serveHotRead(req, res)) res.writeHead(404).end();
    });
    server.unref();
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
  return served;
}

/** Calls `handler` with `request` by the path the web process would serve it on. */
export async function servedRest(
  handler: RestHandler,
  request: Request,
  context?: { params: Promise<Record<string, string>> },
): Promise<Response> {
  const url = new URL(request.url);
  const hot = hotReadOf(request.method, url.pathname + url.search);
  // Only when the path is this handler's: a test calling a handler on another path means the handler.
  if (!hot || (hot.route as unknown) !== handler) return handler(request, context);
  const base = await hotReadServer();
  return fetch(`${base}${url.pathname}${url.search}`, { headers: request.headers });
}
