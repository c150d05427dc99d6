import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    include: ["src/**/*.test.ts", "workers/**/*.test.ts", "prisma/**/*.test.ts"],
    environment: "node",
    globalSetup: ["src/server/testing/global-setup.ts"],
    setupFiles: ["src/server/testing/setup-env.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests share one database and vhost per run; files run in
    // parallel but each test names its own rows/queues.
    pool: "forks",
    reporters: ["default"],
  },
});
