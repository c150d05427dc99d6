import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { INTENT_TYPE_NAMES, type IntentTypeName } from "@/common/intent-catalogue";
import { DEMO_USERS, type SessionUser } from "@/server/auth";
import { createDb, type Db } from "@/server/db";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { seedDemo } from "@/server/demo/seed";
import { createWorkload, uploadChart } from "@/server/workloads";
import { packChartDirectory } from "@/server/workloads/tar-writer";
import { uniq } from "./factories";
import { databaseUrlFor, demoTemplateName, runId } from "./services";

/**
 * A database of a test file's own holding exactly the demo continuum:
 * placement and the evaluator look at every registered cluster, so a file
 * that places instances cannot share the run's database with files that
 * register clusters of their own.
 */
export interface DemoDatabase {
  url: string;
  db: Db;
}

export async function openDemoDatabase(name: string): Promise<DemoDatabase> {
  const url = databaseUrlFor(`nemo_${name}_${runId()}`);
  const template = demoTemplateName();
  if (template) {
    // A copy of the run's migrated and seeded template: about a second, where migrating
    // and seeding anew took 3-7 s per file on the loaded 2-core machine.
    await ensureDemoTemplate(template);
    await onServer((admin) => admin.query(`CREATE DATABASE "${databaseName(url)}" TEMPLATE "${template}"`));
    return { url, db: createDb(url) };
  }
  await ensureDatabase(url);
  await applyMigrations(url);
  const db = createDb(url);
  await seedDemo(db);
  return { url, db };
}

const databaseName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

async function onServer<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: databaseUrlFor("postgres") });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * Built once per run by the first file that asks, under an advisory lock the
 * others wait on; under another name first and renamed when complete, so a
 * build that fails half-way leaves no template to copy.
 */
async function ensureDemoTemplate(template: string): Promise<void> {
  await onServer(async (admin) => {
    await admin.query("SELECT pg_advisory_lock(hashtext($1))", [template]);
    try {
      const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [template]);
      if (exists.rowCount) return;
      const building = databaseUrlFor(`${template}_building`);
      await dropDatabase(building);
      await ensureDatabase(building);
      await applyMigrations(building);
      const db = createDb(building);
      try {
        await seedDemo(db);
      } finally {
        await db.$disconnect();
      }
      // A template is copied only with no one connected to it.
      await admin.query(`ALTER DATABASE "${databaseName(building)}" RENAME TO "${template}"`);
    } finally {
      await admin.query("SELECT pg_advisory_unlock(hashtext($1))", [template]);
    }
  });
}

export async function closeDemoDatabase({ url, db }: DemoDatabase): Promise<void> {
  await db.$disconnect();
  await dropDatabase(url);
}

/**
 * A test file's demo database for all its tests: opened before them, dropped
 * after. With `processWide` it is also the process-wide client the REST
 * handlers use (`globalThis.nemoDb`) while the file runs. Call it before the
 * file's own `beforeAll`, which can then read `db`.
 */
export function demoDatabaseForFile(name: string, options: { processWide?: boolean } = {}): DemoDatabase {
  let demo: DemoDatabase | undefined;
  const global = globalThis as unknown as { nemoDb?: Db };
  beforeAll(async () => {
    demo = await openDemoDatabase(name);
    if (options.processWide) global.nemoDb = demo.db;
  }, 120_000);
  afterAll(async () => {
    if (options.processWide) global.nemoDb = undefined;
    if (demo) await closeDemoDatabase(demo);
  });
  const opened = (): DemoDatabase => {
    if (!demo) throw new Error(`the demo database ${name} is not open yet (read it inside a hook or test)`);
    return demo;
  };
  return {
    get url() {
      return opened().url;
    },
    get db() {
      return opened().db;
    },
  };
}

/** Helm's `helm create` chart, from the renderer's conformance data. */
export const MYCHART_DIR = path.resolve("src/server/charts/conformance-data/helm/create/mychart");

/**
 * A workload of `owner` with mychart uploaded: ACCEPTED, ready for instances,
 * supporting every catalogue intent type unless told otherwise. Returns its id.
 */
export async function acceptedMychartWorkload(
  db: Db,
  owner: SessionUser,
  name: string,
  supportedIntents: readonly IntentTypeName[] = INTENT_TYPE_NAMES,
): Promise<number> {
  const workload = await createWorkload(
    { db, user: owner },
    { name: uniq(name), version: "1.0.0", supportedIntents: [...supportedIntents] },
  );
  await uploadChart({ db, user: owner }, workload.id, await packChartDirectory(MYCHART_DIR));
  return workload.id;
}

/**
 * The demo infrastructure provider (the seeded user who registered the five
 * demo clusters), as a session user.
 */
export async function demoInfrastructureProvider(db: Db): Promise<SessionUser> {
  const infra = DEMO_USERS.find((u) => u.realmRoles.includes("infrastructure-provider"));
  if (!infra) throw new Error("the demo users have no infrastructure provider");
  const row = await db.user.findUniqueOrThrow({ where: { subject: infra.subject } });
  return { ...row, displayName: row.displayName ?? row.username, email: null };
}
