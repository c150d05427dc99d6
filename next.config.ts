import type { NextConfig } from "next";

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
};

export default nextConfig;
