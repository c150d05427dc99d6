import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { chown, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { freePort } from "@/server/testing/processes";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { sleep } from "@/common/sleep";
import { createDb } from "@/server/db";
import { applyMigrations, ensureDatabase } from "@/server/db/migrate";
import { seedDemo } from "@/server/demo/seed";
import type { DemoDatabase } from "@/server/testing/demo-database";

/**
 * Throwaway PostgreSQL and RabbitMQ servers for the scenarios that restart
 * them (broker-restart.rel.ts, database-restart.rel.ts). The shared services
 * on 5432 / 5672 serve every other test and CI stage, so they are never
 * stopped: each scenario starts its own server on free ports in a temporary
 * directory, restarts that one, and removes it in `close()` (call it from
 * afterAll, so it runs on failure too). Nothing here needs `.ci/services.sh`:
 * the binaries the shared services run are enough.
 */

const run = promisify(execFile);
const PG_BIN = process.env.RELIABILITY_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/** A temporary directory owned by `user` (the servers refuse to run as root). */
async function ownedTempDir(prefix: string, user: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await chown(dir, ...(await ids(user)));
  return dir;
}

const elapsed = (since: number) => Math.round(performance.now() - since);

// ---------------------------------------------------------------- RabbitMQ

export interface ThrowawayBroker {
  /** amqp URL of the node's default vhost (guest / guest). */
  readonly amqpUrl: string;
  readonly node: string;
  /** Stops the whole node (rabbitmqctl shutdown); durable queues and their messages stay on disk. */
  stop(): Promise<number>;
  /** Starts the node again on the same ports and data; resolves when it accepts connections. */
  start(): Promise<number>;
  /** `rabbitmqctl list_queues name consumers messages` on this node. */
  queues(): Promise<Array<{ name: string; consumers: number; messages: number }>>;
  /** Stops the node if it runs and removes its directory. */
  close(): Promise<void>;
}

/**
 * A second RabbitMQ node (`nemo-rel-<id>@localhost`) in a temporary directory.
 * A restart is a full node stop and start, not `stop_app` / `start_app`: on
 * this machine (RabbitMQ 3.10) `start_app` after `stop_app` fails with
 * eaddrinuse on the AMQP listener every time, and a whole-node restart is the
 * harsher of the two for clients anyway (every connection drops, nothing
 * answers on the port while it is down).
 */
export async function startThrowawayBroker(id: string): Promise<ThrowawayBroker> {
  const dir = await ownedTempDir("nemo-rel-rabbit-", "rabbitmq");
  const [port, distPort] = [await freePort(), await freePort()];
  const node = `nemo-rel-${id}@localhost`;
  const plugins = path.join(dir, "enabled_plugins");
  const config = path.join(dir, "rabbitmq.conf");
  await writeFile(plugins, "[].\n");
  // Only this node's own listener (the machine's /etc/rabbitmq/rabbitmq.conf names 5672); no management plugin.
  await writeFile(config, "loopback_users = none\n");
  const env = {
    ...process.env,
    HOME: "/var/lib/rabbitmq",
    RABBITMQ_NODENAME: node,
    RABBITMQ_CONFIG_FILE: config,
    RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: path.join(dir, "mnesia"),
    RABBITMQ_LOG_BASE: path.join(dir, "log"),
    RABBITMQ_ENABLED_PLUGINS_FILE: plugins,
  };
  let child: ChildProcess | null = null;
  let starts = 0;

  async function start(): Promise<number> {
    const since = performance.now();
    starts += 1;
    const out = path.join(dir, `server-${starts}.out`);
    const sink = createWriteStream(out);
    // The node runs in the foreground of a process of ours (no -detached), so it can be killed by id if it hangs.
    const spawned = spawn("runuser", ["-u", "rabbitmq", "--", "/usr/lib/rabbitmq/bin/rabbitmq-server"], {
      cwd: "/var/lib/rabbitmq",
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    spawned.stdout.pipe(sink);
    spawned.stderr.pipe(sink);
    child = spawned;
    const deadline = performance.now() + 120_000;
    for (;;) {
      const text = await readFile(out, "utf8").catch(() => "");
      if (text.includes("Starting broker... completed")) break;
      if (spawned.exitCode !== null || text.includes("init terminating"))
        throw new Error(`RabbitMQ node ${node} did not start; see ${out}:\n${text.slice(-2_000)}`);
      if (performance.now() > deadline) throw new Error(`RabbitMQ node ${node} not up after 120 s (${out})`);
      await sleep(200);
    }
    return elapsed(since);
  }

  async function stop(): Promise<number> {
    const since = performance.now();
    const current = child;
    if (!current || current.exitCode !== null) return 0;
    const exited = new Promise<void>((resolve) => current.once("exit", () => resolve()));
    await run("rabbitmqctl", ["-n", node, "shutdown"], { timeout: 60_000 }).catch(() => undefined);
    const gone = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
    // Our own process group only (runuser, the start script, the Erlang VM).
    if (!gone && current.pid) process.kill(-current.pid, "SIGKILL");
    await exited;
    child = null;
    return elapsed(since);
  }

  async function queues() {
    const { stdout } = await run(
      "rabbitmqctl",
      ["-n", node, "list_queues", "--quiet", "--no-table-headers", "name", "consumers", "messages"],
      { timeout: 60_000 },
    );
    return stdout
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols.length === 3)
      .map(([name, consumers, messages]) => ({
        name: name!,
        consumers: Number(consumers),
        messages: Number(messages),
      }));
  }

  async function close(): Promise<void> {
    await stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }

  try {
    await start();
  } catch (error) {
    await close();
    throw error;
  }
  return { amqpUrl: `amqp://guest:guest@127.0.0.1:${port}/`, node, stop, start, queues, close };
}

// ---------------------------------------------------------------- PostgreSQL

export interface ThrowawayPostgres {
  readonly port: number;
  /** URL of database `name` on this server (user postgres, trust auth). */
  urlFor(name: string): string;
  /** `pg_ctl stop -m fast`: sessions are ended, the server is down until `start()`. */
  stop(): Promise<number>;
  start(): Promise<number>;
  /** Stops the server if it runs and removes its directory. */
  close(): Promise<void>;
}

/** A PostgreSQL cluster of its own (initdb + pg_ctl as the postgres user) on a free port. */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const dir = await ownedTempDir("nemo-rel-pg-", "postgres");
  const data = path.join(dir, "data");
  const port = await freePort();
  const asPostgres = (bin: string, args: readonly string[]) =>
    run("runuser", ["-u", "postgres", "--", path.join(PG_BIN, bin), ...args], {
      cwd: dir,
      timeout: 120_000,
    });
  let running = false;

  async function start(): Promise<number> {
    const since = performance.now();
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    await asPostgres("pg_ctl", [
      "-D",
      data,
      "-o",
      options,
      "-l",
      path.join(dir, "server.log"),
      "-w",
      "start",
    ]);
    running = true;
    return elapsed(since);
  }

  async function stop(): Promise<number> {
    const since = performance.now();
    if (!running) return 0;
    await asPostgres("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
    running = false;
    return elapsed(since);
  }

  async function close(): Promise<void> {
    await stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }

  try {
    await asPostgres("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
    await start();
  } catch (error) {
    await close();
    throw error;
  }
  return {
    port,
    urlFor: (name) => `postgresql://postgres@127.0.0.1:${port}/${name}`,
    stop,
    start,
    close,
  };
}

async function ids(user: string): Promise<[number, number]> {
  const [uid, gid] = await Promise.all([run("id", ["-u", user]), run("id", ["-g", user])]);
  return [Number(uid.stdout.trim()), Number(gid.stdout.trim())];
}

/**
 * `openDemoDatabase` on a throwaway server: a migrated database holding the
 * demo continuum. The scenarios use their own server even when they restart
 * the broker, so the shared one's connection limit (other suites fill it) is
 * not what they measure. Closed by the server's `close()`.
 */
export async function openDemoDatabaseOn(server: ThrowawayPostgres, name: string): Promise<DemoDatabase> {
  const url = server.urlFor(name);
  await ensureDatabase(url);
  await applyMigrations(url);
  const db = createDb(url);
  await seedDemo(db);
  return { url, db };
}
