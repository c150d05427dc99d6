import { randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { Role } from "@/common/roles";
import { createCaller } from "@/server/api/root";
import { registerClusterRest } from "@/server/api/v1/cluster";
import type { SessionUser } from "@/server/auth/session";
import { enqueueOutbox, messages } from "@/server/bus";
import { joinRequestFor } from "@/server/clusters";
import { createDb, type Db } from "@/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { sealSecret } from "@/server/secrets";
import { testId, waitFor } from "@/server/testing/bus";
import { makeRegistrationForm } from "@/server/testing/cluster-factories";
import { contextFor, makeUser, uniq } from "@/server/testing/factories";
import { kubeconfigWith, REFUSED_KEYS } from "@/server/testing/hostile-kubeconfigs";
import { printFigures, WorkerFleet } from "@/server/testing/reliability";
import { trpcRejection } from "@/server/testing/rejection";
import { databaseUrlFor, runId } from "@/server/testing/services";
import { sessionCookie } from "@/server/testing/session-cookie";

/**
 * Bad input, part 3: kubeconfigs with every refused field (exec,
 * auth-provider, token and certificate files, proxy, impersonation, basic
 * auth). Through REST and tRPC: a field error on `kubeconfig` naming the key,
 * nothing stored. In a real orchestrator (the process that answers a join)
 * handed such a kubeconfig straight from the database, as if stored before
 * the allow-list: the join fails naming the key, and the worker — watched by
 * the io-spy preload — starts no process and reads none of the files the
 * kubeconfig names (canary files and a canary command that would leave a
 * marker).
 */

const BASE = "http://localhost:3999";
const SPY = path.resolve("src/server/testing/io-spy.mjs");
const url = databaseUrlFor(`nemo_bad_kubeconfig_${runId()}`);
const prefix = `${process.env.AMQP_PREFIX ?? ""}${testId()}.`;
const canaryDir = mkdtempSync(path.join(tmpdir(), "nemo-kubeconfig-canary-"));
const canaryFile = path.join(canaryDir, "secret-token");
const canaryCommand = path.join(canaryDir, "credential-helper.sh");
const marker = path.join(canaryDir, "command-ran");
const spyLog = path.join(canaryDir, "io-spy.jsonl");
const CANARY_SECRET = `CANARY-${randomUUID()}`;

/** The hostile lines with every path pointing at a canary: commands at the canary command, files at the canary file. */
function canaryLines(lines: readonly string[] | undefined): string[] {
  return (lines ?? []).map((line) =>
    line.includes("://")
      ? line
      : line.replace(/\/[\w./-]+/g, /command|cmd-path/.test(line) ? canaryCommand : canaryFile),
  );
}

const CASES = REFUSED_KEYS.map((entry, index) => ({
  key: entry.key,
  name: `${uniq("hostile-kc")}-${index}`,
  kubeconfig: kubeconfigWith({
    clusterExtra: canaryLines(entry.clusterExtra),
    userExtra: canaryLines(entry.userExtra),
  }),
}));

let db: Db;
let runDb: Db;
let infra: SessionUser;
const fleet = new WorkerFleet({
  DATABASE_URL: url,
  AMQP_PREFIX: prefix,
  LOG_LEVEL: "info",
  NODE_ENV: "production",
  NODE_OPTIONS: `--import ${SPY}`,
  NEMO_IO_SPY_LOG: spyLog,
});

beforeAll(async () => {
  writeFileSync(canaryFile, `${CANARY_SECRET}\n`);
  writeFileSync(
    canaryCommand,
    `#!/bin/sh\ntouch ${marker}\necho '{"status":{"token":"${CANARY_SECRET}"}}'\n`,
  );
  chmodSync(canaryCommand, 0o755);
  await ensureDatabase(url);
  await applyMigrations(url);
  db = createDb(url);
  runDb = createDb(process.env.DATABASE_URL);
  infra = await makeUser(runDb, [Role.INFRASTRUCTURE_PROVIDER]);
});

afterAll(async () => {
  await fleet.stopAll();
  await db?.$disconnect();
  await runDb?.$disconnect();
  if (!process.env.KEEP_TEST_DB) await dropDatabase(url);
  rmSync(canaryDir, { recursive: true, force: true });
});

describe("bad input: kubeconfigs with every refused field", () => {
  it("are refused at registration, through REST and tRPC, with a field error naming the key", async () => {
    const cookie = `next-auth.session-token=${await sessionCookie(infra)}`;
    const caller = createCaller(contextFor(runDb, infra));
    const rows: Array<Record<string, string | number>> = [];
    for (const { key, name, kubeconfig } of CASES) {
      const form = makeRegistrationForm(name, { managedApi: "https://api.cluster.example:6443", kubeconfig });
      const response = await registerClusterRest(
        new Request(`${BASE}/api/v1/cluster/`, {
          method: "POST",
          headers: { cookie, origin: BASE, "content-type": "application/json" },
          body: JSON.stringify(form),
        }),
        { params: Promise.resolve(undefined) },
      );
      const answer = (await response.json()) as { field?: string; message?: string };
      const error = await trpcRejection(caller.cluster.register(form));
      const issues = error.cause instanceof ZodError ? error.cause.issues : [];
      rows.push({
        key,
        "REST status": response.status,
        "REST field": answer.field ?? "-",
        "tRPC code": error.code,
        "tRPC field": issues.map((issue) => issue.path.join(".")).join(",") || "-",
        stored: await runDb.cluster.count({ where: { name } }),
      });
      expect(response.status, key).toBe(400);
      expect(answer.field, key).toBe("kubeconfig");
      expect(answer.message, key).toContain(`${key} is not allowed`);
      expect(answer.message, key).not.toContain(canaryDir);
      expect(error.code, key).toBe("BAD_REQUEST");
      expect(
        issues.map((issue) => issue.path.join(".")),
        key,
      ).toEqual(["kubeconfig"]);
      expect(issues[0]?.message, key).toContain(`${key} is not allowed`);
      expect(await runDb.cluster.count({ where: { name } }), key).toBe(0);
    }
    printFigures(
      "hostile kubeconfigs at registration (expected: 400 / BAD_REQUEST on kubeconfig, 0 stored)",
      rows,
    );
  });

  it("make a real orchestrator's join fail naming the key, with no process started and no named file read", async () => {
    const owner = await makeUser(db, [Role.INFRASTRUCTURE_PROVIDER]);
    const orchestrator = await fleet.start("orchestrator");
    // Stored as if registered before the allow-list existed: the worker must not trust the database either.
    for (const { name, kubeconfig } of CASES) {
      const sealed = sealSecret(kubeconfig);
      const operationId = randomUUID();
      await db.$transaction(async (tx) => {
        const cluster = await tx.cluster.create({
          data: {
            name,
            ownerId: owner.id,
            status: "PENDING",
            driver: "KUBERNETES",
            managedApi: "https://api.cluster.example:6443",
            kubeconfigCipher: sealed.cipher,
            kubeconfigSha256: sealed.contentId,
            cpus: 8,
            memoryGb: 16,
            storageGb: 100,
            vramGb: 0,
            availabilityPct: "99.90",
            greenEnergyPct: 40,
            cost: "low_cost",
            cpuBaseRate: 10,
            memoryBaseRate: 5,
            joinOperationId: operationId,
          },
        });
        await enqueueOutbox(tx, messages.clusterJoinRequest, joinRequestFor(cluster, operationId), {
          messageId: operationId,
        });
      });
    }
    const names = CASES.map((c) => c.name);
    await waitFor(
      async () =>
        (await db.cluster.count({ where: { name: { in: names }, status: { not: "PENDING" } } })) ===
        names.length,
      120_000,
      "every hostile join answered",
    );
    const clusters = await db.cluster.findMany({ where: { name: { in: names } } });
    const spied = readFileSync(spyLog, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { kind: string; fn: string; target: string; pid: number })
      .filter((entry) => entry.pid === orchestrator.child.pid);
    const processes = spied.filter((entry) => entry.kind === "process");
    const canaryReads = spied.filter((entry) => entry.kind === "read" && entry.target.includes(canaryDir));
    const rows = CASES.map(({ key, name }) => {
      const cluster = clusters.find((c) => c.name === name);
      return { key, status: cluster?.status ?? "-", reason: (cluster?.statusReason ?? "").slice(0, 90) };
    });
    printFigures("hostile kubeconfigs in a real orchestrator's join (expected: ERROR naming the key)", rows);
    printFigures(
      "io-spy of the orchestrator (expected: spy loaded, 0 processes, 0 canary reads, no marker)",
      [
        {
          "spy loaded": spied.some((entry) => entry.kind === "spy"),
          "calls recorded": spied.length,
          "processes started": processes.length,
          "canary file reads": canaryReads.length,
          "marker file": existsSync(marker),
        },
      ],
    );
    // The spy works in this process: it saw its own named-import check and the worker's module loading.
    expect(spied.some((entry) => entry.kind === "spy")).toBe(true);
    expect(spied.filter((entry) => entry.kind === "read").length).toBeGreaterThan(10);
    for (const { key, name } of CASES) {
      const cluster = clusters.find((c) => c.name === name);
      expect(cluster?.status, key).toBe("ERROR");
      expect(cluster?.statusReason, key).toContain(`${key} is not allowed`);
      expect(cluster?.statusReason, key).not.toContain(CANARY_SECRET);
      expect(cluster?.statusReason, key).not.toContain(canaryDir);
    }
    expect(processes).toEqual([]);
    expect(canaryReads).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });
});
