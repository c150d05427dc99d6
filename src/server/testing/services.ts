import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Per-run isolation on the real services: a fresh PostgreSQL database and a
 * fresh RabbitMQ vhost (created with rabbitmqctl). Where rabbitmqctl is not
 * usable, the run falls back to the default vhost with a unique name prefix.
 */
export interface TestServices {
  databaseUrl: string;
  amqpUrl: string;
  amqpPrefix: string;
  vhost: string | null;
}

const PG_BASE = process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const AMQP_BASE = process.env.TEST_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";

export function runId(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

export function databaseUrlFor(name: string): string {
  const url = new URL(PG_BASE);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The run's demo template (demo-database.ts), `<run database>_demo`, which
 * global setup's teardown drops; none outside a vitest run.
 */
export function demoTemplateName(runDatabaseUrl = process.env.DATABASE_URL): string | null {
  return runDatabaseUrl ? `${decodeURIComponent(new URL(runDatabaseUrl).pathname.slice(1))}_demo` : null;
}

export async function createVhost(vhost: string): Promise<boolean> {
  try {
    await run("rabbitmqctl", ["add_vhost", vhost], { timeout: 30_000 });
    await run("rabbitmqctl", ["set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], {
      timeout: 30_000,
    });
    return true;
  } catch {
    return false;
  }
}

export async function deleteVhost(vhost: string): Promise<void> {
  await run("rabbitmqctl", ["delete_vhost", vhost], { timeout: 30_000 }).catch(() => undefined);
}

export function amqpUrlFor(vhost: string | null): string {
  return vhost ? `${AMQP_BASE}/${encodeURIComponent(vhost)}` : `${AMQP_BASE}/`;
}
