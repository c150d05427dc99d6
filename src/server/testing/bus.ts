import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import { promisify } from "node:util";
import { connect, type ConfirmChannel, type GetMessage } from "amqplib";
import pino, { type Logger } from "pino";
import { type Db } from "@/server/db/client";
import { serverEnv } from "@/server/env";
import { createBus, type Bus, type BusOptions } from "@/server/bus/bus";
import { brokerName } from "@/server/bus/topology";

/**
 * Test support for code that uses the bus against the real broker (not part
 * of the public API). Every name a test creates should start with `testId()`
 * because test files run in parallel on one vhost.
 */

const run = promisify(execFile);

export function testId(): string {
  return `t${randomBytes(4).toString("hex")}`;
}

/** A bus on this run's vhost with fast reconnects, only the given topology asserted. */
export function createTestBus(db: Db, options: Partial<BusOptions> = {}): Promise<Bus> {
  const env = serverEnv();
  return createBus({
    url: env.AMQP_URL,
    prefix: env.AMQP_PREFIX,
    db,
    connectionName: `${testId()}-bus`,
    topology: { exchanges: [], queues: [] },
    reconnect: { initialMs: 50, maxMs: 500, factor: 2, jitter: 0.2 },
    publishTimeoutMs: 15_000,
    connectTimeoutMs: 10_000,
    ...options,
  });
}

/**
 * Has the broker force-close the connection with this client-provided name,
 * as an operator or a broker restart would (`rabbitmqctl close_connection`).
 */
export async function closeBrokerConnection(
  connectionName: string,
  reason = "test: forced drop",
): Promise<void> {
  const { stdout } = await run(
    "rabbitmqctl",
    ["list_connections", "-q", "--no-table-headers", "pid", "client_properties"],
    {
      timeout: 20_000,
    },
  );
  const marker = `{"connection_name","${connectionName}"}`;
  const pids = stdout
    .split("\n")
    .filter((line) => line.includes(marker))
    .map((line) => line.split("\t")[0]?.trim())
    .filter((pid): pid is string => !!pid);
  if (pids.length === 0) throw new Error(`no broker connection named ${connectionName}`);
  for (const pid of pids) await run("rabbitmqctl", ["close_connection", pid, reason], { timeout: 20_000 });
}

/** Runs `fn` with a confirm channel on its own connection (to act behind the bus's back). */
export async function withChannel<T>(
  fn: (channel: ConfirmChannel, name: (logical: string) => string) => Promise<T>,
): Promise<T> {
  const env = serverEnv();
  const model = await connect(env.AMQP_URL);
  model.on("error", () => undefined);
  try {
    const channel = await model.createConfirmChannel();
    channel.on("error", () => undefined);
    return await fn(channel, (logical) => brokerName(env.AMQP_PREFIX, logical));
  } finally {
    await model.close().catch(() => undefined);
  }
}

/** Takes (and acks) every message currently in a queue, by logical name. */
export function drainQueue(logicalQueue: string): Promise<GetMessage[]> {
  return withChannel(async (channel, name) => {
    const out: GetMessage[] = [];
    for (;;) {
      const msg = await channel.get(name(logicalQueue), { noAck: true });
      if (msg === false) return out;
      out.push(msg);
    }
  });
}

/** Deletes a queue and its retry queue and DLQ (test cleanup). */
export function deleteQueues(...logicalQueues: string[]): Promise<void> {
  return withChannel(async (channel, name) => {
    for (const queue of logicalQueues) {
      for (const q of [queue, `${queue}.retry`, `${queue}.dlq`])
        await channel.deleteQueue(name(q)).catch(() => undefined);
    }
  });
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A pino logger whose lines land in `lines`, to assert on the bus's per-message log. */
export function captureLogs(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: "debug" },
    {
      write: (line: string) => {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return { logger, lines };
}

export interface AmqpProxy {
  /** AMQP_URL rewritten to go through the proxy. */
  url: string;
  /** Cuts every proxied connection at once, like a network failure (no AMQP close handshake). */
  dropConnections(): void;
  /** While true, new connections are cut at once, like a broker that is down. */
  refuse(refusing: boolean): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of the broker, so a test can kill the sockets of a bus at an exact moment. */
export async function startAmqpProxy(): Promise<AmqpProxy> {
  const target = new URL(serverEnv().AMQP_URL);
  const targetPort = Number(target.port || 5672);
  const sockets = new Set<net.Socket>();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    const cleanup = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on("error", cleanup);
      socket.on("close", cleanup);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no TCP address");
  const url = new URL(target);
  url.hostname = "127.0.0.1";
  url.port = String(address.port);
  const dropConnections = (): void => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    url: url.toString(),
    dropConnections,
    refuse: (value) => {
      refusing = value;
    },
    close: async () => {
      dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
