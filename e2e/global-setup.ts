import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { createDb } from "@/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { seedDemo } from "@/server/demo/seed";
import { amqpUrlFor, createVhost, databaseUrlFor, deleteVhost, runId } from "@/server/testing/services";
import type { Server } from "node:http";
import { freePort } from "@/server/testing/processes";
import { E2E_ENV } from "./env";
import { SECRET_CANARY, startSecretWatch } from "./secret-watch";

const ROOT = path.resolve(import.meta.dirname, "..");
const LOGS = path.join(ROOT, ".nemo");
const SECRET_FINDINGS = path.join(LOGS, "e2e-secret-findings.jsonl");

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

/** A worker is ready once its harness logs "worker started" (consumers declared, loops running). */
async function waitForWorker(role: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`worker ${role} exited with ${child.exitCode}; see .nemo/e2e-${role}.log`);
    if (readFileSync(path.join(LOGS, `e2e-${role}.log`), "utf8").includes('"msg":"worker started"')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`worker ${role} not started after ${timeoutMs} ms`);
}

/**
 * The workers the cluster, instance and migration flows need, as real
 * processes: the orchestrator (outbox relay, joins, metrics recorder,
 * instance placement and deployment, migration completions), the evaluator
 * (metrics collector, intent reports), moca (registration reward), the IBMC
 * controller (`notify`: intent-driven migrations, watchdog), the IBMC agent
 * (backup and restore on every demo cluster) and cfdrl (the CFDRL agents'
 * decisions every CFDRL_PERIOD_MS, for e2e/cfdrl.spec.ts).
 */
const WORKER_ROLES = ["orchestrator", "evaluator", "moca", "ibmc-controller", "ibmc-agent", "cfdrl"] as const;

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

  const id = runId();
  const databaseUrl = databaseUrlFor(`nemo_e2e_${id}`);
  await ensureDatabase(databaseUrl);
  await applyMigrations(databaseUrl);
  // The five test-bed clusters of the simulated continuum: instances need somewhere to be placed.
  const seedDb = createDb(databaseUrl);
  try {
    await seedDemo(seedDb);
  } finally {
    await seedDb.$disconnect();
  }
  // The workers' own broker namespace: a fresh vhost, or a name prefix where rabbitmqctl is unusable.
  const vhost = `nemo-e2e-${id}`;
  const haveVhost = await createVhost(vhost);

  // The specs talk to the secret watch on appPort, which forwards to `next start` on nextPort.
  const [issuerPort, appPort, nextPort] = [await freePort(), await freePort(), await freePort()];
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
    // The local issuer runs only when asked, and under NODE_ENV=production only when forced.
    NEMO_LOCAL_ISSUER: "1",
    NEMO_LOCAL_ISSUER_FORCE: "1",
    NEMO_DEMO_USERS: "1",
    // One machine plays every user and signs in far more often than a person: no request budgets.
    ...Object.fromEntries(
      ["REST", "TRPC_MUTATION", "LOGIN"].flatMap((budget) => [
        [`NEMO_RATE_LIMIT_${budget}_USER`, "0"],
        [`NEMO_RATE_LIMIT_${budget}_IP`, "0"],
      ]),
    ),
    // The demo and the specs use sim:// clusters, which a production console refuses.
    NEMO_ALLOW_SIMULATED: "1",
    // As the quick start: a billing period the accounting spec can watch pass twice in seconds, not minutes.
    BILLING_PERIOD_MS: "15000",
    // CFDRL decides every 2 s, so the cfdrl spec sees decisions and the reward chart appear within seconds.
    CFDRL_PERIOD_MS: "2000",
    AMQP_URL: amqpUrlFor(haveVhost ? vhost : null),
    AMQP_PREFIX: haveVhost ? "" : `e2e${id}.`,
    // One key for the app (seals kubeconfigs) and the workers (open them to join the cluster).
    NEMO_SECRET_KEY: randomBytes(32).toString("hex"),
    // The collector samples every second, so a chart fills within the spec's patience.
    METRICS_PERIOD_MS: "1000",
    // A migration stuck in one step (an agent that died) ends within the spec's patience, not in 5 min;
    // still well above the seconds migrations.spec.ts holds the agent paused.
    MIGRATION_STEP_TIMEOUT_MS: "60000",
  };

  // Each is one process (no npx / tsx CLI wrappers, which would outlive a signal to their PID), so teardown's signal reaches it.
  const issuerProcess = start(
    [process.execPath, "--import", "tsx", "workers/oidc-issuer.ts"],
    env,
    "e2e-issuer.log",
  );
  const appProcess = start(
    // The web process as the quick start, image and chart run it: `next start` plus the hot reads.
    [process.execPath, "--import", "tsx", "workers/web.ts", "-p", String(nextPort)],
    env,
    "e2e-app.log",
  );
  const workers = WORKER_ROLES.map((role) => ({
    role,
    process: start(
      [process.execPath, "--import", "tsx", `workers/${role}.ts`],
      { ...env, LOG_LEVEL: "info" },
      `e2e-${role}.log`,
    ),
  }));
  const children = [issuerProcess, appProcess, ...workers.map((w) => w.process)];
  const secretWatch = await startSecretWatch({
    listenPort: appPort,
    targetPort: nextPort,
    findingsFile: SECRET_FINDINGS,
    secrets: [
      { name: `the specs' canary (${SECRET_CANARY})`, value: SECRET_CANARY },
      { name: "NEXTAUTH_SECRET", value: env.NEXTAUTH_SECRET ?? "" },
      { name: "KEYCLOAK_CLIENT_SECRET", value: env.KEYCLOAK_CLIENT_SECRET ?? "" },
      { name: "NEMO_SECRET_KEY", value: env.NEMO_SECRET_KEY ?? "" },
    ],
  });
  (globalThis as { nemoSecretWatch?: Server }).nemoSecretWatch = secretWatch;
  process.env[E2E_ENV.secretFindings] = SECRET_FINDINGS;
  process.env[E2E_ENV.pids] = children.map((child) => child.pid).join(",");
  process.env[E2E_ENV.orchestratorPid] = String(
    workers.find((w) => w.role === "orchestrator")?.process.pid ?? "",
  );
  process.env[E2E_ENV.ibmcAgentPid] = String(workers.find((w) => w.role === "ibmc-agent")?.process.pid ?? "");
  process.env[E2E_ENV.vhost] = haveVhost ? vhost : "";
  process.env[E2E_ENV.databaseUrl] = databaseUrl;
  process.env[E2E_ENV.baseUrl] = baseUrl;
  process.env[E2E_ENV.issuer] = issuer;

  try {
    await waitFor(`http://127.0.0.1:${issuerPort}/health/ready`, issuerProcess, "local OIDC issuer");
    // Readiness, not liveness: the specs need the database behind the web process.
    await waitFor(`${baseUrl}/api/ready`, appProcess, "next start");
    for (const worker of workers) await waitForWorker(worker.role, worker.process);
  } catch (error) {
    // Global teardown does not run when setup fails: clean up here.
    for (const child of children) child.kill("SIGTERM");
    secretWatch.close();
    await dropDatabase(databaseUrl);
    if (haveVhost) await deleteVhost(vhost);
    throw error;
  }
  console.log(
    `e2e: app ${baseUrl} (secret watch in front of :${nextPort}), issuer ${issuer}, workers ${WORKER_ROLES.join(", ")}, ready in ${Date.now() - started} ms`,
  );
}
