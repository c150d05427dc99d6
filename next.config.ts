import type { NextConfig } from "next";

/** On every response (pages add their nonce CSP in src/proxy.ts; see README "Security headers"). */
const EVERY_RESPONSE = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  // For browsers without CSP frame-ancestors.
  { key: "X-Frame-Options", value: "DENY" },
];

/** JSON and files: nothing to run, nothing to embed. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The offline Swagger page: its own bundle and initialiser by URL, Swagger UI's inline styles, calls to us. */
const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

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
      { source: "/:path*", headers: EVERY_RESPONSE },
      {
        // Only over https (as the TLS-terminating proxy reports it): plain http ignores HSTS anyway.
        source: "/:path*",
        has: [{ type: "header", key: "x-forwarded-proto", value: "https" }],
        headers: [{ key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" }],
      },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_CSP }] },
      { source: "/api/v1/docs", headers: [{ key: "Content-Security-Policy", value: DOCS_CSP }] },
      { source: "/api/v1/docs/:asset", headers: [{ key: "Content-Security-Policy", value: DOCS_CSP }] },
    ]),
};

export default nextConfig;
