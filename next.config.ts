import type { NextConfig } from "next";

// One list for Next.js and the hot REST reads the web process answers itself (workers/web.ts).
import { API_CSP, DOCS_CSP, EVERY_RESPONSE_HEADERS, HSTS_HEADER } from "./src/server/edge/response-headers";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The REST API keeps the trailing-slash URLs of the NEMO Intent-Based API (/api/v1/me/).
  skipTrailingSlashRedirect: true,
  // Loaded by Node at runtime instead of bundled (pg, pino and @prisma/client
  // already are, by Next's built-in list).
  serverExternalPackages: ["@prisma/adapter-pg", "@kubernetes/client-node", "pino", "amqplib"],
  turbopack: { root: import.meta.dirname },
  // `next build` type-checks the app and what it imports; workers, tests and
  // the rest of the repository are checked by `tsc --noEmit -p .` in CI.
  typescript: { tsconfigPath: "tsconfig.app.json" },
  // The last match wins for a key: the docs' policy overrides the API's.
  headers: () =>
    Promise.resolve([
      { source: "/:path*", headers: [...EVERY_RESPONSE_HEADERS] },
      {
        // Only over https (as the TLS-terminating proxy reports it): plain http ignores HSTS anyway.
        source: "/:path*",
        has: [{ type: "header", key: "x-forwarded-proto", value: "https" }],
        headers: [HSTS_HEADER],
      },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_CSP }] },
      { source: "/api/v1/docs", headers: [{ key: "Content-Security-Policy", value: DOCS_CSP }] },
      { source: "/api/v1/docs/:asset", headers: [{ key: "Content-Security-Policy", value: DOCS_CSP }] },
    ]),
};

export default nextConfig;
