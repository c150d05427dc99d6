/**
 * The web process (`npm run start`, the quick start's supervisor, the image
 * and the Helm chart): the built Next.js app, as `next start` serves it, with
 * the three hot REST reads answered first on Node's request and response
 * (src/server/api/hot-reads.ts: the same route code, without the Fetch
 * Request/Response pair an App Router route handler costs; bench/README.md
 * "API load"). Everything else — pages, tRPC, auth, every other REST route and
 * method — goes to Next.js unchanged.
 *
 *   node --import tsx workers/web.ts [-p 3000] [-H hostname]
 *
 * Port from -p, else PORT, else 3000; `next build` first.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { Compression } from "../src/server/api/hot-reads";
import path from "node:path";

function argument(flag: string): string | undefined {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

// As `next start`: production unless told otherwise, before Next.js (and React) load.
(process.env as Record<string, string>).NODE_ENV ??= "production";
const port = Number(argument("-p") ?? process.env.PORT ?? 3000);
const hostname = argument("-H");
const root = path.resolve(import.meta.dirname, "..");

const { default: next } = await import("next");
// Next's own (untyped, compiled) gzip middleware and its release of an abandoned zlib stream.
const requireFromHere = createRequire(import.meta.url);
const compression = requireFromHere("next/dist/compiled/compression") as () => Compression;
const { releaseCompressionStream } = requireFromHere("next/dist/server/lib/release-compression-stream") as {
  releaseCompressionStream: (res: ServerResponse) => void;
};
const { serveHotRead } = await import("../src/server/api/hot-reads");
const { logger } = await import("../src/server/logger");

const log = logger.child({ process: "web" });
const gzip = compression();
/** Next's compression as its router applies it, with its release of an abandoned zlib stream. */
const compress: Compression = (req, res, done) => {
  gzip(req, res, done);
  res.once("close", () => {
    if (!res.writableFinished) releaseCompressionStream(res);
  });
};

const server = createServer();
const app = next({ dev: false, dir: root, port, hostname, httpServer: server });
const handle = app.getRequestHandler();
await app.prepare();
server.on("request", (req: IncomingMessage, res: ServerResponse) => {
  if (
    serveHotRead(req, res, compress, (error) =>
      log.warn({ err: error, url: req.url }, "hot read: write failed"),
    )
  )
    return;
  void handle(req, res);
});
server.listen(port, hostname, () => {
  log.info({ port, hostname: hostname ?? "all interfaces" }, "web: ready");
});

// As `next start`: stop on SIGINT / SIGTERM with the conventional exit codes.
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const) {
  process.once(signal, () => {
    server.close();
    process.exit(code);
  });
}
