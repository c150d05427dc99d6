import { readFileSync } from "node:fs";
import http from "node:http";
import { type AddressInfo } from "node:net";

/**
 * A stand-in Kubernetes API server for contract tests: it records every
 * request the driver makes (method, path, query, content type, auth header,
 * body) and answers from recorded API responses. No cluster runs here, so the
 * tests pin down the HTTP the driver speaks instead.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  authorization: string | undefined;
  /** The Host header: the name the client was given, whichever address it connected to. */
  host: string | undefined;
  /** Parsed JSON when the body is JSON, else the raw text; undefined without a body. */
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** A plain-text answer (a pod's log), sent as `text/plain` instead of `body` as JSON. */
  text?: string;
  /**
   * A chunked `text/plain` answer written as the test says (a followed log):
   * the headers are sent, then `write` gets the response to write to and end
   * when it likes, and a promise of the client closing the connection.
   */
  stream?: (response: http.ServerResponse, closed: Promise<void>) => void;
}

export type Handler = (request: RecordedRequest) => Reply;

/**
 * What a route answers: one reply, a handler, or a sequence consumed one per
 * request whose last entry repeats (for polling: InProgress, then Completed).
 * "hang" accepts the request and never answers.
 */
export type Route = Reply | Handler | Reply[] | "hang";

export interface FakeApiServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Sets what `METHOD /path` answers (query strings are not part of the key). */
  on(method: string, path: string, route: Route): void;
  /** The recorded requests other than API discovery, which the object client does on its own. */
  calls(): RecordedRequest[];
  kubeconfig(options?: { token?: string }): string;
  close(): Promise<void>;
}

/** The Status body the API server sends with an error. */
export function apiStatus(code: number, reason: string, message: string, details: object = {}): Reply {
  return {
    status: code,
    body: {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason,
      details,
      code,
    },
  };
}

const FIXTURES = new URL("../fixtures/", import.meta.url);

/** A recorded API response from `kubernetes/fixtures/`. */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8"));
}

/** The discovery documents (`/api/v1`, `/apis/<group>/<version>`) of the recorded cluster. */
export function discoveryRoutes(server: FakeApiServer): void {
  const documents = fixture("discovery.json") as Record<string, unknown>;
  for (const [path, body] of Object.entries(documents)) server.on("GET", path, { status: 200, body });
}

interface DiscoveryDocument {
  resources: Array<{ name: string; kind: string; namespaced: boolean }>;
}

/** `/apis/apps/v1/namespaces/shop/deployments`: where the recorded cluster serves a kind (from its discovery). */
export function collectionPath(apiVersion: string, kind: string, namespace?: string): string {
  const root = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const documents = fixture("discovery.json") as Record<string, DiscoveryDocument>;
  const resource = documents[root]?.resources.find((r) => r.kind === kind && !r.name.includes("/"));
  if (!resource) throw new Error(`the recorded cluster does not serve ${kind} in ${apiVersion}`);
  return resource.namespaced && namespace !== undefined
    ? `${root}/namespaces/${namespace}/${resource.name}`
    : `${root}/${resource.name}`;
}

/** Empty lists for kinds in a namespace, as a real server answers a list that matches nothing. */
export function emptyLists(
  server: FakeApiServer,
  namespace: string,
  kinds: ReadonlyArray<{ apiVersion: string; kind: string }>,
): void {
  for (const { apiVersion, kind } of kinds)
    server.on("GET", collectionPath(apiVersion, kind, namespace), {
      status: 200,
      body: { kind: `${kind}List`, apiVersion, metadata: { resourceVersion: "913000" }, items: [] },
    });
}

function isDiscovery(path: string): boolean {
  return path === "/api/v1" || /^\/apis\/[^/]+\/[^/]+$/.test(path);
}

export function kubeconfigFor(server: string, token = "test-token"): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "current-context: test",
    "clusters:",
    "  - name: test",
    "    cluster:",
    `      server: ${server}`,
    "      insecure-skip-tls-verify: true",
    "contexts:",
    "  - name: test",
    "    context: { cluster: test, user: tester }",
    "users:",
    "  - name: tester",
    `    user: { token: ${token} }`,
  ].join("\n");
}

export async function startFakeApiServer(): Promise<FakeApiServer> {
  const routes = new Map<string, Route>();
  const sequences = new Map<string, number>();
  const requests: RecordedRequest[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = undefined;
      if (text.length > 0) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      const request: RecordedRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams.entries()),
        contentType: req.headers["content-type"],
        authorization: req.headers.authorization,
        host: req.headers.host,
        body,
      };
      requests.push(request);
      const key = `${request.method} ${request.path}`;
      const route = routes.get(key);
      if (route === "hang") return; // never answered; closed by close()
      let reply: Reply;
      if (route === undefined)
        reply = apiStatus(404, "NotFound", "the server could not find the requested resource");
      else if (typeof route === "function") reply = route(request);
      else if (Array.isArray(route)) {
        const index = sequences.get(key) ?? 0;
        sequences.set(key, index + 1);
        const entry = route[Math.min(index, route.length - 1)];
        if (!entry) throw new Error(`empty reply sequence for ${key}`);
        reply = entry;
      } else reply = route;
      if (reply.stream) {
        res.writeHead(reply.status, { "content-type": "text/plain; charset=utf-8" });
        res.flushHeaders();
        const closed = new Promise<void>((resolve) => res.on("close", () => resolve()));
        reply.stream(res, closed);
        return;
      }
      if (reply.text !== undefined) {
        res.writeHead(reply.status, { "content-type": "text/plain; charset=utf-8" });
        res.end(reply.text);
        return;
      }
      res.writeHead(reply.status, { "content-type": "application/json" });
      res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    requests,
    on(method, path, route) {
      routes.set(`${method} ${path}`, route);
      sequences.delete(`${method} ${path}`);
    },
    calls: () => requests.filter((request) => !(request.method === "GET" && isDiscovery(request.path))),
    kubeconfig: (options = {}) => kubeconfigFor(url, options.token),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
