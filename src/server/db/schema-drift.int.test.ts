import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, dropDatabase, ensureDatabase, MIGRATIONS_DIR } from "./migrate";
import { findSchemaDrift, loadDmmf } from "./schema-drift";
import { databaseUrlFor, runId } from "@/server/testing/services";

describe("schema and migrations", () => {
  it("the migrated database has every model, field, enum, unique, index and foreign key the client expects", async () => {
    const problems = await findSchemaDrift(process.env.DATABASE_URL!);
    expect(problems).toEqual([]);
  });

  it("the schema declares every noun the product stores", async () => {
    const dmmf = await loadDmmf();
    const models = dmmf.datamodel.models.map((m) => m.name);
    for (const noun of [
      "User",
      "Cluster",
      "Workload",
      "Chart",
      "WorkloadInstance",
      "LifecycleEvent",
      "Intent",
      "IntentReport",
      "LedgerAccount",
      "LedgerTransaction",
      "OutboxMessage",
      "ProcessedMessage",
    ]) {
      expect(models).toContain(noun);
    }
  });

  describe("on a database that drifted", () => {
    const url = databaseUrlFor(`nemo_drift_${runId()}`);
    beforeAll(async () => {
      await ensureDatabase(url);
      await applyMigrations(url);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`ALTER TABLE "clusters" DROP COLUMN "vram_gb"`);
      await client.query(`DROP INDEX "workloads_owner_id_name_version_key"`);
      await client.query(`ALTER TABLE "users" ADD COLUMN "nickname" TEXT`);
      await client.query(`ALTER TYPE "Role" ADD VALUE 'GUEST'`);
      await client.query(`ALTER TABLE "charts" DROP CONSTRAINT "charts_workload_id_fkey"`);
      await client.end();
    });
    afterAll(async () => dropDatabase(url));

    it("reports each difference by name", async () => {
      const problems = await findSchemaDrift(url);
      expect(problems).toEqual(
        expect.arrayContaining([
          "column clusters.vram_gb (Cluster.vramGb) is missing",
          "unique index on workloads(owner_id, name, version) is missing",
          "column users.nickname is not in the Prisma schema",
          "enum Role has values [NEMO_ADMIN, INFRASTRUCTURE_PROVIDER, SERVICE_PROVIDER, GUEST], expected [NEMO_ADMIN, INFRASTRUCTURE_PROVIDER, SERVICE_PROVIDER]",
          "foreign key charts(workload_id) is missing",
        ]),
      );
      expect(problems).toHaveLength(5);
    });
  });

  it("re-running the migrations applies nothing", async () => {
    const again = await applyMigrations(process.env.DATABASE_URL!);
    expect(again.map((m) => m.applied)).toEqual(again.map(() => false));
  });

  it("refuses to run when an applied migration was edited afterwards", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "nemo-migrations-"));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const [first] = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory());
    const file = path.join(dir, first!.name, "migration.sql");
    await writeFile(file, (await readFile(file, "utf8")) + "\n-- edited\n");
    await expect(applyMigrations(process.env.DATABASE_URL!, dir)).rejects.toThrow(
      /changed after it was applied/,
    );
    await rm(dir, { recursive: true });
  });
});
