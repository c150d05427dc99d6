import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";

/**
 * "Secrets never leave": every byte the console sends to a browser or an
 * API client during the e2e run passes through this recording proxy, which
 * looks for secret material in it — the run's own secrets (session and
 * sealing keys, the OIDC client secret) and the canary that every secret the
 * specs hand to the console carries (kubeconfig tokens and keys, intent
 * bearer tokens). A finding is written to a file; global teardown and
 * `secrets.spec.ts` fail on it.
 *
 * It sits in front of `next start` (the base URL the specs use is the
 * proxy's), asks for uncompressed answers so bodies can be read, and streams
 * them through unchanged, scanning chunk by chunk with an overlap so a secret
 * split across two chunks is still found.
 */

/** Put this in every secret a spec gives the console; finding it in an answer is a leak. */
export const SECRET_CANARY = "NEMOCANARY";

/** Set on every answer that passed the watch. */
export const WATCH_HEADER = "x-nemo-secret-watch";

export interface SecretFinding {
  method: string;
  url: string;
  status: number;
  /** Which secret (its name, never its value). */
  secret: string;
  where: "body" | "header";
}

export interface NamedSecret {
  name: string;
  value: string;
}

export function readFindings(file: string): SecretFinding[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SecretFinding);
}

/** Finds each secret at most once per answer; `scan` takes the answer in chunks. */
export function secretScanner(secrets: readonly NamedSecret[]) {
  const longest = Math.max(...secrets.map((s) => s.value.length));
  let carry = "";
  const found = new Set<string>();
  return {
    scan(chunk: Buffer | string): void {
      // latin1 keeps one character per byte: a multi-byte character split across chunks cannot hide an ASCII secret.
      const text = carry + (typeof chunk === "string" ? chunk : chunk.toString("latin1"));
      for (const secret of secrets) if (text.includes(secret.value)) found.add(secret.name);
      carry = text.slice(-(longest - 1));
    },
    found(): string[] {
      return [...found];
    },
  };
}

function headerText(headers: IncomingHttpHeaders): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(", ") : (value ?? "")}`)
    .join("\n");
}

/** Starts the proxy on `listenPort`, forwarding to the app on `targetPort`; findings go to `findingsFile`. */
export function startSecretWatch(opts: {
  listenPort: number;
  targetPort: number;
  secrets: readonly NamedSecret[];
  findingsFile: string;
}): Promise<Server> {
  writeFileSync(opts.findingsFile, "");
  const watched = opts.secrets.filter((s) => s.value.length >= 8);
  const record = (finding: SecretFinding) =>
    appendFileSync(opts.findingsFile, `${JSON.stringify(finding)}\n`);
  const server = createServer((incoming, outgoing) => {
    const headers = { ...incoming.headers, "accept-encoding": "identity" };
    const upstream = httpRequest(
      {
        host: "127.0.0.1",
        port: opts.targetPort,
        method: incoming.method,
        path: incoming.url,
        headers,
      },
      (answer) => {
        const status = answer.statusCode ?? 0;
        const url = incoming.url ?? "";
        const where = { method: incoming.method ?? "GET", url, status };
        // A secret the request's own URL holds may come back (a 404 page naming its path): that is no leak.
        const secrets = watched.filter((s) => !url.includes(s.value));
        const inHeaders = secretScanner(secrets);
        inHeaders.scan(headerText(answer.headers));
        for (const secret of inHeaders.found()) record({ ...where, secret, where: "header" });
        const inBody = secretScanner(secrets);
        // Lets a spec check that its traffic really passes the watch.
        outgoing.writeHead(status, { ...answer.headers, [WATCH_HEADER]: "1" });
        answer.on("data", (chunk: Buffer) => {
          inBody.scan(chunk);
          outgoing.write(chunk);
        });
        answer.on("end", () => {
          for (const secret of inBody.found()) record({ ...where, secret, where: "body" });
          outgoing.end();
        });
        answer.on("error", () => outgoing.destroy());
      },
    );
    upstream.on("error", () => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { "content-type": "text/plain" });
      outgoing.end("secret-watch: the app did not answer");
    });
    incoming.pipe(upstream);
  });
  // Long-lived answers (a page's streamed RSC payload) must not be cut by the proxy.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    // Every local address (IPv4 and IPv6): the base URL says localhost, which may resolve to either.
    server.listen(opts.listenPort, () => resolve(server));
  });
}
