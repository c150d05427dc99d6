import { defineConfig } from "vitest/config";

// The reliability suite (`npm run test:reliability`): whole-system checks —
// restarts, kills, hostile input, the access matrix — kept out of the unit
// run because they take minutes and own their services. Files are
// `src/reliability/**/*.rel.ts` so the normal `*.test.ts` run never picks
// them up.
export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    include: ["src/reliability/**/*.rel.ts"],
    environment: "node",
    globalSetup: ["src/server/testing/global-setup.ts"],
    setupFiles: ["src/server/testing/setup-env.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: "forks",
    // Scenarios that restart services must not overlap with each other.
    fileParallelism: false,
    reporters: ["default"],
  },
});
