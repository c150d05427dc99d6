import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, openSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { databaseUrlFor, runId } from "@/server/testing/services";
import { E2E_ENV } from "./env";

const ROOT = path.resolve(import.meta.dirname, "..");
const LOGS = path.join(ROOT, ".nemo");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${what} exited with ${child.exitCode}; see .nemo/e2e-*.log`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not ready at ${url} after ${timeoutMs} ms`);
}

function start(command: string[], env: NodeJS.ProcessEnv, log: string): ChildProcess {
  const out = openSync(path.join(LOGS, log), "w");
  const [file, ...args] = command;
  if (!file) throw new Error("empty command");
  return spawn(file, args, { cwd: ROOT, env, stdio: ["ignore", out, out] });
}

export default async function globalSetup(): Promise<void> {
  if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    throw new Error("No production build: run `npx next build` before `npx playwright test`.");
  }
  mkdirSync(LOGS, { recursive: true });
  const started = Date.now();

  const databaseUrl = databaseUrlFor(`nemo_e2e_${runId()}`);
  await ensureDatabase(databaseUrl);
  await applyMigrations(databaseUrl);

  const [issuerPort, appPort] = [await freePort(), await freePort()];
  const baseUrl = `http://localhost:${appPort}`;
  const issuer = `http://127.0.0.1:${issuerPort}/realms/nemo`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: "warn",
    DATABASE_URL: databaseUrl,
    NEXTAUTH_URL: baseUrl,
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    KEYCLOAK_ISSUER: issuer,
    KEYCLOAK_CLIENT_ID: "nemo-console",
    KEYCLOAK_CLIENT_SECRET: randomBytes(24).toString("base64url"),
  };

  // Each is one process (STACK.md gotcha 4: no npx / tsx CLI wrappers), so teardown's signal reaches it.
  const issuerProcess = start(
    [process.execPath, "--import", "tsx", "workers/oidc-issuer.ts"],
    env,
    "e2e-issuer.log",
  );
  const appProcess = start(
    [process.execPath, "node_modules/next/dist/bin/next", "start", "-p", String(appPort)],
    env,
    "e2e-app.log",
  );
  process.env[E2E_ENV.pids] = [issuerProcess.pid, appProcess.pid].join(",");
  process.env[E2E_ENV.databaseUrl] = databaseUrl;
  process.env[E2E_ENV.baseUrl] = baseUrl;
  process.env[E2E_ENV.issuer] = issuer;

  try {
    await waitFor(`http://127.0.0.1:${issuerPort}/health/ready`, issuerProcess, "local OIDC issuer");
    await waitFor(`${baseUrl}/api/health`, appProcess, "next start");
  } catch (error) {
    // Global teardown does not run when setup fails: clean up here.
    issuerProcess.kill("SIGTERM");
    appProcess.kill("SIGTERM");
    await dropDatabase(databaseUrl);
    throw error;
  }
  console.log(`e2e: app ${baseUrl}, issuer ${issuer}, ready in ${Date.now() - started} ms`);
}
