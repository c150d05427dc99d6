/**
 * Soak of the quick start: `npm run quickstart` (web, local OIDC issuer and
 * every worker under the supervisor) on a database and vhost of its own, driven
 * for `--minutes` by the demo users through the REST API, while the resident
 * memory of every supervised process is sampled.
 *
 *   npx tsx bench/soak.ts [--minutes 20] [--warmup-minutes 5] [--sample-seconds 30] [--keep]
 *
 * Traffic, as the demo users signed in through the local issuer (bearer access
 * tokens, renewed before they expire):
 *   - provider: every `--create-seconds` (20) a new instance of a mychart
 *     workload with an Availability intent (so the evaluator has intents to
 *     evaluate); the oldest is deleted once `--live` (12) exist, so the
 *     console reaches a steady state instead of growing without end;
 *   - provider: the instance list, the intent list and one instance's timeline
 *     about once a second;
 *   - admin: once a minute "Migrate now" (POST /api/v1/instance/{id}/migrate/)
 *     of a DEPLOYED instance to the target its migration options name, and
 *     the migration list.
 *
 * Figures: VmRSS (/proc/<pid>/status) of each process every `--sample-seconds`;
 * growth is measured from the end of the warm-up to the end of the run, each
 * the mean of its last `WINDOW` samples (one sample lands before or after a
 * major GC by chance; a leak moves the mean, a GC does not). Not from the
 * start: a process's first minutes are not steady state and no leak —
 * Next.js loads each route's code on its first request, V8 grows its heap to
 * what the traffic needs before collecting harder, the workers load theirs on
 * their first messages, and the chart render pool (two worker threads in the
 * web process, ~50 MB each once they have rendered) starts its second thread
 * only when two renders overlap. The warm-up therefore starts with two
 * instance creations at once, so the pool is at its full size before the
 * baseline; the first sample ever is printed too, and the course every 5 min. Error lines:
 * pino lines at level ≥ 50 (error, fatal) and any non-JSON line on stderr
 * that says "error", from every process (the supervisor passes its
 * children's output through). HTTP answers are counted by status; a 5xx
 * counts as an error.
 *
 * Stopping: npm does not forward SIGTERM to the supervisor (issue 13 item 1),
 * so the supervisor itself is signalled (it stops its children, each in its own
 * process group); whatever is left after 20 s is killed by pid, then npm's
 * process group; the run fails if anything still listens on 3000 or 8180.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { loadavg } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { applyMigrations, dropDatabase, ensureDatabase } from "../src/server/db/migrate";
import { packChartDirectory } from "../src/server/workloads/tar-writer";
import { runCodeFlow } from "../src/server/testing/oidc-flow";
import { amqpUrlFor, createVhost, databaseUrlFor, deleteVhost, runId } from "../src/server/testing/services";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

const MINUTES = option("minutes", 20);
const WARMUP_MINUTES = Math.min(option("warmup-minutes", 5), MINUTES / 2);
const SAMPLE_SECONDS = option("sample-seconds", 30);
const CREATE_SECONDS = option("create-seconds", 20);
const LIVE = option("live", 12);
const MIGRATE_SECONDS = option("migrate-seconds", 60);
const KEEP = process.argv.includes("--keep");
const GROWTH_TARGET_PCT = 10;
/** Samples averaged at each end of the measured window (RSS moves with each major GC). */
const WINDOW = 3;

const ROOT = path.resolve(import.meta.dirname, "..");
const PORTS = [3000, 8180];
const WEB = "http://localhost:3000";
const ISSUER = "http://127.0.0.1:8180/realms/nemo";
const MYCHART = path.join(ROOT, "src/server/charts/conformance-data/helm/create/mychart");
const LOG_FILE = `/tmp/nemo-soak-${process.pid}.log`;

const started = Date.now();
/** When the traffic began (the console was up): the warm-up is counted from here. */
let trafficStarted = Number.POSITIVE_INFINITY;
const elapsed = () => `${((Date.now() - started) / 60_000).toFixed(1)} min`;
const say = (message: string) => process.stdout.write(`[soak ${elapsed()}] ${message}\n`);

// ---------------------------------------------------------------------------
// Ports, processes

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Field 4 (after the parenthesised command name) is the parent pid.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

function descendantsOf(pid: number): number[] {
  const all: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    for (const child of childrenOf(next)) {
      all.push(child);
      queue.push(child);
    }
  }
  return all;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function rssKiB(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------
// The quick start's output: pids of the supervised processes, error lines

/** name → pid, from the supervisor's "started" lines (a restart replaces the pid). */
const pids = new Map<string, number>();
const restarts = new Map<string, number>();
const errorLines: string[] = [];
let logText = "";

function readLine(line: string, stream: "stdout" | "stderr"): void {
  logText += `${line}\n`;
  if (line.trim() === "") return;
  if (line.startsWith("{")) {
    let entry: { level?: number; msg?: string; service?: string; process?: string; pid?: number };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      entry = {};
    }
    if (entry.service === "supervisor" && entry.msg === "started" && entry.process && entry.pid) {
      if (pids.has(entry.process)) restarts.set(entry.process, (restarts.get(entry.process) ?? 0) + 1);
      pids.set(entry.process, entry.pid);
    }
    if ((entry.level ?? 0) >= 50) errorLines.push(line);
    return;
  }
  if (stream === "stderr" && /error/i.test(line)) errorLines.push(line);
}

function lines(stream: NodeJS.ReadableStream, name: "stdout" | "stderr"): void {
  let rest = "";
  stream.on("data", (chunk: Buffer) => {
    const text = rest + chunk.toString("utf8");
    const parts = text.split("\n");
    rest = parts.pop() ?? "";
    for (const part of parts) readLine(part, name);
  });
}

// ---------------------------------------------------------------------------
// REST as the demo users

interface Session {
  username: string;
  token: string;
  expiresAt: number;
}

const statuses = new Map<string, number>();
const serverErrors: string[] = [];

async function login(username: string): Promise<Session> {
  const secret = readFileSync(path.join(ROOT, ".nemo/keycloak-client-secret"), "utf8").trim();
  const { tokens } = await runCodeFlow({
    issuer: ISSUER,
    clientId: "nemo-console",
    clientSecret: secret,
    redirectUri: `${WEB}/api/auth/callback/keycloak`,
    username,
    password: username,
  });
  if (!tokens) throw new Error(`the demo login of ${username} failed`);
  return { username, token: tokens.access_token, expiresAt: Date.now() + tokens.expires_in * 1000 };
}

async function call<T>(
  session: Session,
  method: string,
  url: string,
  body?: unknown,
  form?: FormData,
): Promise<{ status: number; json: T | null }> {
  // Renewed a minute before expiry: an expired token would count as a 401, not as the product's answer.
  if (session.expiresAt - Date.now() < 60_000) Object.assign(session, await login(session.username));
  const headers: Record<string, string> = { authorization: `Bearer ${session.token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(`${WEB}${url}`, {
      method,
      headers,
      body: form ?? (body === undefined ? undefined : JSON.stringify(body)),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const key = `${method} ${url.replace(/[0-9a-f-]{36}/g, "{id}")} network`;
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    serverErrors.push(`${key}: ${String(error)}`);
    return { status: 0, json: null };
  }
  const text = await response.text();
  const route = url.split("?")[0]?.replace(/[0-9a-f-]{36}/g, "{id}") ?? url;
  const key = `${method} ${route} ${response.status}`;
  statuses.set(key, (statuses.get(key) ?? 0) + 1);
  if (response.status >= 500) serverErrors.push(`${key}: ${text.slice(0, 200)}`);
  let json: T | null = null;
  try {
    json = JSON.parse(text) as T;
  } catch {
    json = null;
  }
  return { status: response.status, json };
}

interface InstanceRow {
  id: string;
  status: string;
}

async function acceptedWorkload(provider: Session): Promise<number> {
  const created = await call<{ id: number }>(provider, "POST", "/api/v1/workload/", {
    name: `soak-${runId()}`,
    version: "1.0.0",
    // Instances may carry only intents their workload declares.
    supportedIntents: ["Availability"],
  });
  if (created.status !== 201 || !created.json)
    throw new Error(`creating the workload answered ${created.status}`);
  const form = new FormData();
  form.set("workload_id", String(created.json.id));
  form.set(
    "file",
    new Blob([new Uint8Array(await packChartDirectory(MYCHART))], { type: "application/gzip" }),
    "mychart.tgz",
  );
  const uploaded = await call<{ status?: string }>(
    provider,
    "POST",
    "/api/v1/workload/upload/",
    undefined,
    form,
  );
  if (uploaded.status >= 300) throw new Error(`uploading the chart answered ${uploaded.status}`);
  return created.json.id;
}

// ---------------------------------------------------------------------------
// The run

interface Sample {
  at: number;
  rss: Map<string, number>;
  /** The machine's 1-minute load average: other work on it slows the run and shows here. */
  load: number;
}
const samples: Sample[] = [];

function sample(): void {
  const rss = new Map<string, number>();
  for (const [name, pid] of pids) {
    const kib = rssKiB(pid);
    if (kib !== null) rss.set(name, kib);
  }
  samples.push({ at: Date.now(), rss, load: loadavg()[0] ?? 0 });
}

async function stopQuickstart(npm: ChildProcess): Promise<string[]> {
  const problems: string[] = [];
  const npmPid = npm.pid ?? 0;
  const tree = descendantsOf(npmPid);
  const supervisor = tree.find((pid) => cmdline(pid).includes("workers/supervisor.ts"));
  const known = new Set([...tree, ...pids.values()]);
  if (supervisor) process.kill(supervisor, "SIGTERM");
  else problems.push("the supervisor was not found among npm's descendants");
  // The supervisor gives its children 15 s to stop; then it, the shell and npm end.
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && [...known, npmPid].some(alive)) await sleep(250);
  for (const pid of known) {
    if (alive(pid)) {
      problems.push(`pid ${pid} (${cmdline(pid).slice(0, 80)}) outlived the supervisor's stop: killed`);
      process.kill(pid, "SIGKILL");
    }
  }
  try {
    process.kill(-npmPid, "SIGKILL");
  } catch {
    // Already gone.
  }
  await sleep(500);
  for (const port of PORTS) {
    if (await listening(port)) problems.push(`something still listens on ${port}`);
  }
  return problems;
}

const fmtMiB = (kib: number | undefined) =>
  kib === undefined ? "    -" : (kib / 1024).toFixed(0).padStart(5);

/** Mean RSS of `name` over the samples (undefined when none has it). */
function meanRss(window: readonly Sample[], name: string): number | undefined {
  const values = window.map((s) => s.rss.get(name)).filter((v): v is number => v !== undefined);
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

function report(): boolean {
  const warmAt = samples.findIndex((s) => s.at - trafficStarted >= WARMUP_MINUTES * 60_000);
  // The window ends with the first sample past the warm-up; never overlaps the end window.
  const warmEnd = Math.min(warmAt < 0 ? 0 : warmAt, Math.max(0, samples.length - 1 - WINDOW));
  const warmWindow = samples.slice(Math.max(0, warmEnd - WINDOW + 1), warmEnd + 1);
  const endWindow = samples.slice(-WINDOW);
  const first = samples[0];
  let ok = true;
  process.stdout.write(
    `\nRSS (MiB), sampled every ${SAMPLE_SECONDS} s; growth from the end of ${WARMUP_MINUTES} min of warm-up to the end ` +
      `(each the mean of ${WINDOW} samples; target ≤ ${GROWTH_TARGET_PCT} %):\n`,
  );
  process.stdout.write(
    `  ${"process".padEnd(16)} ${"first".padStart(5)} ${"start".padStart(5)} ${"end".padStart(5)} ${"max".padStart(5)}  growth  restarts\n`,
  );
  for (const name of pids.keys()) {
    const start = meanRss(warmWindow, name);
    const end = meanRss(endWindow, name);
    const max = Math.max(...samples.map((s) => s.rss.get(name) ?? 0));
    const growth = start && end ? ((end - start) / start) * 100 : NaN;
    const worker = name !== "oidc-issuer";
    if (worker && !(growth <= GROWTH_TARGET_PCT)) ok = false;
    process.stdout.write(
      `  ${name.padEnd(16)} ${fmtMiB(first?.rss.get(name))} ${fmtMiB(start)} ${fmtMiB(end)} ${fmtMiB(max)}  ` +
        `${Number.isNaN(growth) ? "   n/a" : `${growth >= 0 ? "+" : ""}${growth.toFixed(1)} %`.padStart(7)}  ${restarts.get(name) ?? 0}\n`,
    );
  }
  // The course over the run (every 5 min): a leak climbs steadily, a warming cache levels off.
  const marks = samples.filter((_, i) => i % Math.max(1, Math.round(300 / SAMPLE_SECONDS)) === 0);
  process.stdout.write(
    `\nRSS (MiB) every ${Math.round(300 / 60)} min: ${marks.map((m) => `${((m.at - Math.min(trafficStarted, m.at)) / 60_000).toFixed(0)}'`).join(" ")}\n`,
  );
  for (const name of pids.keys()) {
    process.stdout.write(`  ${name.padEnd(16)} ${marks.map((m) => fmtMiB(m.rss.get(name))).join(" ")}\n`);
  }
  const loads = samples.map((s) => s.load);
  process.stdout.write(
    `\nMachine load average (1 min, ${loads.length} samples): min ${Math.min(...loads).toFixed(1)}, ` +
      `mean ${(loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length)).toFixed(1)}, max ${Math.max(...loads).toFixed(1)}\n`,
  );
  process.stdout.write(`\nHTTP answers (${[...statuses.values()].reduce((a, b) => a + b, 0)}):\n`);
  for (const [key, count] of [...statuses].sort()) process.stdout.write(`  ${key.padEnd(56)} ${count}\n`);
  process.stdout.write(
    `\nError-level log lines: ${errorLines.length}; 5xx / network failures: ${serverErrors.length}\n`,
  );
  for (const line of [...errorLines, ...serverErrors].slice(0, 10))
    process.stdout.write(`  ${line.slice(0, 300)}\n`);
  if (errorLines.length > 0 || serverErrors.length > 0) ok = false;
  if ([...restarts.values()].some((n) => n > 0)) ok = false;
  return ok;
}

async function main(): Promise<void> {
  for (const port of PORTS) {
    if (await listening(port)) throw new Error(`port ${port} is in use: the soak needs 3000 and 8180 free`);
  }
  const id = runId();
  const databaseUrl = databaseUrlFor(`nemo_soak_${id}`);
  const vhost = `nemo_soak_${id}`;
  await ensureDatabase(databaseUrl);
  await applyMigrations(databaseUrl);
  const hasVhost = await createVhost(vhost);
  const built = existsSync(path.join(ROOT, ".next/BUILD_ID"));
  say(
    `database nemo_soak_${id}, vhost ${hasVhost ? vhost : "(default, prefixed)"}; .next ${built ? "built: build skipped" : "not built: the quick start builds it"}`,
  );
  const npm = spawn("npm", ["run", "quickstart"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      AMQP_URL: amqpUrlFor(hasVhost ? vhost : null),
      AMQP_PREFIX: hasVhost ? "" : `${vhost}.`,
      NEMO_SKIP_BUILD: built ? "1" : "0",
      LOG_LEVEL: "info",
    },
  });
  lines(npm.stdout, "stdout");
  lines(npm.stderr, "stderr");
  let stopping = false;
  const stop = async () => {
    if (stopping) return [];
    stopping = true;
    const problems = await stopQuickstart(npm);
    writeFileSync(LOG_FILE, logText);
    if (!KEEP) {
      await dropDatabase(databaseUrl).catch((error: unknown) =>
        say(`dropping the database: ${String(error)}`),
      );
      if (hasVhost) await deleteVhost(vhost);
    }
    return problems;
  };
  process.once("SIGINT", () => void stop().then(() => process.exit(130)));
  process.once("SIGTERM", () => void stop().then(() => process.exit(143)));

  let ok = false;
  let problems: string[] = [];
  try {
    const ready = Date.now() + 10 * 60_000;
    while (
      !(await fetch(`${WEB}/api/v1/me/`).then(
        (r) => r.status === 401,
        () => false,
      ))
    ) {
      if (Date.now() > ready || npm.exitCode !== null)
        throw new Error("the console did not come up in 10 min");
      await sleep(2_000);
    }
    say(`console up (${[...pids.keys()].join(", ")})`);
    const provider = await login("provider");
    const admin = await login("admin");
    const workloadId = await acceptedWorkload(provider);

    const live: string[] = [];
    let created = 0;
    let attempts = 0;
    let deleted = 0;
    let migrations = 0;
    let nextCreate = 0;
    let nextMigrate = Date.now() + MIGRATE_SECONDS * 1000;
    let nextSample = 0;
    trafficStarted = Date.now();
    const end = trafficStarted + MINUTES * 60_000;
    sample();
    while (Date.now() < end) {
      const now = Date.now();
      if (now >= nextSample) {
        sample();
        nextSample = now + SAMPLE_SECONDS * 1000;
      }
      if (now >= nextCreate) {
        nextCreate = now + CREATE_SECONDS * 1000;
        // The first time two at once: their renders overlap, so the render pool starts its
        // second worker in the warm-up instead of in the measured window (see the header).
        const batch = attempts === 0 ? 2 : 1;
        const answers = await Promise.all(
          Array.from({ length: batch }, (_, i) =>
            call<{ id: string }>(provider, "POST", "/api/v1/instance/", {
              workloadId,
              releaseName: `soak-${attempts + i}`,
              intent: {
                intentType: "Availability",
                targets: [
                  {
                    targetName: "availability",
                    targetCondition: "IS_EQUAL_TO_OR_GREATER_THAN",
                    targetValue: 90,
                  },
                ],
              },
            }),
          ),
        );
        attempts += batch;
        for (const answer of answers) {
          if (!answer.json?.id) continue;
          live.push(answer.json.id);
          created += 1;
        }
        while (live.length > LIVE) {
          const oldest = live.shift() as string;
          if ((await call(provider, "DELETE", `/api/v1/instance/${oldest}/`)).status === 202) deleted += 1;
        }
      }
      if (now >= nextMigrate) {
        nextMigrate = now + MIGRATE_SECONDS * 1000;
        const list = await call<{ items: InstanceRow[] }>(
          admin,
          "GET",
          "/api/v1/instance/?status=DEPLOYED&pageSize=50",
        );
        for (const row of list.json?.items ?? []) {
          const options = await call<{ canRequest: boolean; target: string | null }>(
            admin,
            "GET",
            `/api/v1/instance/${row.id}/migration-options/`,
          );
          if (!options.json?.canRequest || !options.json.target) continue;
          const moved = await call(admin, "POST", `/api/v1/instance/${row.id}/migrate/`, {
            targetCluster: options.json.target,
          });
          if (moved.status === 202) migrations += 1;
          break;
        }
        await call(admin, "GET", "/api/v1/migration/");
      }
      const list = await call<{ items: InstanceRow[] }>(provider, "GET", "/api/v1/instance/");
      await call(provider, "GET", "/api/v1/intent/");
      const some = list.json?.items[Math.floor(Math.random() * (list.json?.items.length ?? 0))];
      if (some) await call(provider, "GET", `/api/v1/instance/${some.id}/timeline/`);
      await sleep(1_000);
    }
    sample();
    const states = await call<{ items: Array<{ state: string }> }>(
      admin,
      "GET",
      "/api/v1/migration/?pageSize=50",
    );
    const byState = new Map<string, number>();
    for (const m of states.json?.items ?? []) byState.set(m.state, (byState.get(m.state) ?? 0) + 1);
    say(
      `traffic done: ${created} instances created, ${deleted} deleted, ${migrations} migrations requested ` +
        `(migrations by state: ${[...byState].map(([s, n]) => `${s} ${n}`).join(", ") || "none"})`,
    );
    ok = report();
  } finally {
    problems = await stop();
  }
  for (const problem of problems) process.stdout.write(`stop: ${problem}\n`);
  process.stdout.write(`\nFull quick-start output: ${LOG_FILE}\n`);
  const clean = ok && problems.length === 0;
  process.stdout.write(`Soak ${clean ? "PASSED" : "FAILED"} (${MINUTES} min)\n`);
  process.exitCode = clean ? 0 : 1;
}

await main();
