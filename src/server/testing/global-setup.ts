import type { TestProject } from "vitest/node";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { amqpUrlFor, createVhost, databaseUrlFor, deleteVhost, demoTemplateName, runId } from "./services";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    amqpUrl: string;
    amqpPrefix: string;
  }
}

/** One database and one vhost for the whole vitest run; dropped at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const id = runId();
  const databaseUrl = databaseUrlFor(`nemo_test_${id}`);
  await ensureDatabase(databaseUrl);
  await applyMigrations(databaseUrl);
  const vhost = `nemo-test-${id}`;
  const haveVhost = await createVhost(vhost);
  const amqpUrl = amqpUrlFor(haveVhost ? vhost : null);
  const amqpPrefix = haveVhost ? "" : `t${id}.`;
  project.provide("databaseUrl", databaseUrl);
  project.provide("amqpUrl", amqpUrl);
  project.provide("amqpPrefix", amqpPrefix);
  return async () => {
    if (process.env.KEEP_TEST_DB !== "1") await dropDatabase(databaseUrl);
    // The demo template files copy their own database from (demo-database.ts), when one asked.
    await dropDatabase(databaseUrlFor(`${demoTemplateName(databaseUrl)}`));
    if (haveVhost) await deleteVhost(vhost);
  };
}
