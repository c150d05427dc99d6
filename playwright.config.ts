import { defineConfig } from "@playwright/test";

/**
 * e2e against the BUILT app (`npx next build` first) in Debian Chromium.
 * Global setup creates a fresh database, starts the local OIDC issuer and
 * `next start` on free ports; global teardown stops both and drops the database.
 */
export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  globalTeardown: "./e2e/global-teardown.ts",
  retries: 0,
  workers: 2,
  reporter: "list",
  // Two CPUs run the app, five workers and two browsers: generous limits; every wait is on a condition.
  timeout: 60_000,
  expect: { timeout: 15_000 },
  outputDir: "test-results",
  use: {
    browserName: "chromium",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
    viewport: { width: 1440, height: 900 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
});
