import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { openSync, readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { dropDatabase } from "@/server/db/migrate";
import { amqpUrlFor, createVhost, databaseUrlFor, deleteVhost, runId } from "@/server/testing/services";
import { freePort, isAlive } from "@/server/testing/processes";
import { expect, test } from "./fixtures";

/**
 * README's start command, stopped the way a process manager stops it: one
 * signal to the PID of `npm run quickstart`. Everything it started — the
 * supervisor, the web server, the local issuer, every worker — must stop and
 * free its ports. Runs the real quick start on the built app
 * (NEMO_SKIP_BUILD=1), on a database and vhost of its own and free ports.
 */
test.describe.configure({ mode: "serial", timeout: 180_000 });

const ROOT = path.resolve(import.meta.dirname, "..");
const id = runId();
const databaseUrl = databaseUrlFor(`nemo_quickstart_${id}`);
const vhost = `nemo-quickstart-${id}`;
let haveVhost = false;

test.beforeAll(async () => {
  // The quick start reinstalls when node_modules is not from the current lockfile, which would pull it
  // from under the running suite: `npm test` records its own install (.ci/test-all.sh).
  const lockHash = createHash("sha256")
    .update(readFileSync(path.join(ROOT, "package-lock.json")))
    .digest("hex");
  const installed = readFileSync(path.join(ROOT, "node_modules/.nemo-lock-hash"), "utf8").trim();
  expect(installed, "node_modules/.nemo-lock-hash must match package-lock.json").toBe(lockHash);
  haveVhost = await createVhost(vhost);
});

test.afterAll(async () => {
  await dropDatabase(databaseUrl);
  if (haveVhost) await deleteVhost(vhost);
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Every process below `root` (from /proc), so the test knows what must be gone afterwards. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name (which may hold spaces and parentheses): state, ppid, …
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`${signal} to the PID of npm run quickstart stops every process and frees the ports`, async () => {
    const [webPort, issuerPort] = [await freePort(), await freePort()];
    const log = path.join(ROOT, ".nemo", `e2e-quickstart-${signal}.log`);
    const out = openSync(log, "w");
    const quickstart = spawn("npm", ["run", "quickstart"], {
      cwd: ROOT,
      env: {
        ...process.env,
        NEMO_SKIP_BUILD: "1",
        PORT: String(webPort),
        NEXTAUTH_URL: `http://localhost:${webPort}`,
        KEYCLOAK_ISSUER: `http://127.0.0.1:${issuerPort}/realms/nemo`,
        DATABASE_URL: databaseUrl,
        AMQP_URL: amqpUrlFor(haveVhost ? vhost : null),
        AMQP_PREFIX: haveVhost ? "" : `qs${id}.`,
        NEMO_SECRET_KEY: randomBytes(32).toString("hex"),
        NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
        KEYCLOAK_CLIENT_SECRET: randomBytes(24).toString("base64url"),
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", out, out],
    });
    const pid = quickstart.pid!;
    let started: number[] = [];
    try {
      await expect
        .poll(async () => (await listening(webPort)) && (await listening(issuerPort)), {
          timeout: 120_000,
          intervals: [1_000],
        })
        .toBe(true);
      const health = await fetch(`http://127.0.0.1:${webPort}/api/health`);
      expect(health.status).toBe(200);
      started = descendants(pid);
      // npm, the supervisor, web, issuer and the worker roles: all below the one PID.
      expect(started.length).toBeGreaterThanOrEqual(4);

      process.kill(pid, signal);
      await expect
        .poll(() => [pid, ...started].filter(isAlive), { timeout: 30_000, intervals: [250] })
        .toEqual([]);
      expect(await listening(webPort)).toBe(false);
      expect(await listening(issuerPort)).toBe(false);
      expect(readFileSync(log, "utf8")).toContain('"msg":"all processes stopped"');
    } finally {
      for (const leftover of [pid, ...started, ...descendants(pid)]) {
        if (isAlive(leftover)) process.kill(leftover, "SIGKILL");
      }
    }
  });
}
