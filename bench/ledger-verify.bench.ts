/**
 * Ledger verification over 1,000,000 transactions, on a database of its own
 * (created, migrated and dropped here), against the bare cost of the hashes
 * in the same run.
 *
 *   npx tsx bench/ledger-verify.bench.ts [--entries 1000000] [--sample 200000]
 *
 * KEEP_BENCH_DB=1 keeps the generated database (its URL is printed) for profiling.
 *
 * Target: `verifyLedger` (read every page from PostgreSQL on one snapshot,
 * parse, recompute every hash and link, sum and compare every balance)
 * ≥ 200,000 transactions/s. Printed beside it:
 * - the verifier alone (`LedgerChainVerifier` over rows already in memory,
 *   a sample of `--sample`), which is the hashing plus the chain checks;
 * - the baseline: bare sha256 over the same canonical bytes, prepared in
 *   advance (no encoding, no checks) — the floor any verification pays;
 * and the ratios of both to the baseline.
 *
 * Shortcut, stated: the transactions are generated with the product's own
 * hashing (`transactionHash`) and bulk-loaded with COPY (appending a million
 * one by one through `appendLedgerTransaction` would take far longer and is
 * not what is measured); balances are set to the sums. The ledger is checked
 * to verify before timing, so the timed runs walk the whole chain.
 */
import "./silent-logs";
import { hash } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { canonicalTransaction, GENESIS_HASH, transactionHash } from "../src/server/accounting/canonical";
import {
  LedgerChainVerifier,
  verifyLedger,
  type StoredTextTransaction,
  type StoredTransaction,
} from "../src/server/accounting/verify";
import { createDb, workerDbTimeouts } from "../src/server/db/client";
import { applyMigrations, dropDatabase, ensureDatabase } from "../src/server/db/migrate";
import { databaseUrlFor, runId } from "../src/server/testing/services";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer`);
  return value;
}

const ENTRIES = option("entries", 1_000_000);
const SAMPLE = Math.min(option("sample", 200_000), ENTRIES);
const TARGET_RATE = 200_000;
const WORKLOADS = 1_000;
const CLUSTERS = 100;
const RULES = ["compute", "network", "ml"] as const;
const BATCH = 20_000;
const START = Date.parse("2026-12-07T00:00:00.000Z");

/** A deterministic, realistic transaction: a workload pays a cluster for one rule of one period. */
function transaction(sequence: number, prevHash: string): StoredTransaction {
  const workload = sequence % WORKLOADS;
  const cluster = `00000000-0000-4000-8000-${String(sequence % CLUSTERS).padStart(12, "0")}`;
  const rule = RULES[sequence % RULES.length]!;
  const periodStart = new Date(START + Math.floor(sequence / (WORKLOADS * RULES.length)) * 60_000);
  const t = {
    sequence: BigInt(sequence),
    fromAccount: `workload:${workload}`,
    toAccount: `cluster:${cluster}`,
    amount: BigInt(1_000 + ((sequence * 7_919) % 1_000_000)),
    rule,
    periodStart,
    reference: `charge:${workload}-${sequence}:${rule}:${periodStart.toISOString()}`,
    inputs: {
      cpuUsage: String(100 + (sequence % 900)),
      clusterCpuUsage: "4000",
      cpuBaseRate: "6",
      memoryUsage: String(256 + (sequence % 512)),
      clusterMemoryUsage: "16384",
      memoryBaseRate: "3",
      regionalCpuCosts: "50000",
      regionalMemoryCosts: "60000",
    },
    createdAt: new Date(periodStart.getTime() + 60_000 + (sequence % 1_000)),
    prevHash,
    hash: "",
  };
  t.hash = transactionHash(t);
  return t;
}

/** One COPY text-format line (no value here needs escaping beyond what JSON gives). */
function copyLine(t: StoredTransaction): string {
  const cells = [
    t.sequence.toString(),
    t.fromAccount,
    t.toAccount,
    t.amount.toString(),
    t.rule,
    t.periodStart!.toISOString(),
    t.reference,
    JSON.stringify(t.inputs).replaceAll("\\", "\\\\"),
    t.prevHash,
    t.hash,
    t.createdAt.toISOString(),
  ];
  return `${cells.join("\t")}\n`;
}

async function load(url: string): Promise<StoredTransaction[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const sample: StoredTransaction[] = [];
  const balances = new Map<string, bigint>();
  try {
    const accounts: string[] = [];
    for (let w = 0; w < WORKLOADS; w++) accounts.push(`workload:${w}\tWORKLOAD\t\\N\tworkload ${w}\t0\n`);
    for (let c = 0; c < CLUSTERS; c++) {
      const id = `cluster:00000000-0000-4000-8000-${String(c).padStart(12, "0")}`;
      accounts.push(`${id}\tCLUSTER\t\\N\tcluster ${c}\t0\n`);
    }
    await pipeline(
      Readable.from([accounts.join("")]),
      client.query(
        copyFrom(`COPY ledger_accounts (id, kind, owner_user_id, display_name, balance) FROM STDIN`),
      ),
    );
    let prevHash = GENESIS_HASH;
    let sequence = 0;
    async function* lines(): AsyncGenerator<string> {
      while (sequence < ENTRIES) {
        let chunk = "";
        for (let i = 0; i < BATCH && sequence < ENTRIES; i++) {
          sequence += 1;
          const t = transaction(sequence, prevHash);
          prevHash = t.hash;
          if (sample.length < SAMPLE) sample.push(t);
          balances.set(t.fromAccount, (balances.get(t.fromAccount) ?? 0n) - t.amount);
          balances.set(t.toAccount, (balances.get(t.toAccount) ?? 0n) + t.amount);
          chunk += copyLine(t);
        }
        yield chunk;
      }
    }
    await pipeline(
      Readable.from(lines()),
      client.query(
        copyFrom(
          `COPY ledger_transactions (sequence, from_account, to_account, amount, rule, period_start, reference,
                                     inputs, prev_hash, hash, created_at) FROM STDIN`,
        ),
      ),
    );
    const ids = [...balances.keys()];
    await client.query(
      `UPDATE ledger_accounts a SET balance = d.balance
       FROM unnest($1::text[], $2::bigint[]) AS d(id, balance) WHERE a.id = d.id`,
      [ids, ids.map((id) => balances.get(id)!.toString())],
    );
    await client.query("ANALYZE ledger_transactions");
  } finally {
    await client.end();
  }
  return sample;
}

function rate(count: number, ms: number): string {
  return `${Math.round((count * 1000) / ms).toLocaleString("en")}/s`;
}

async function main(): Promise<void> {
  const url = databaseUrlFor(`nemo_bench_ledger_${runId()}`);
  await ensureDatabase(url);
  const db = createDb(url, workerDbTimeouts());
  try {
    await applyMigrations(url);
    let started = performance.now();
    const sample = await load(url);
    console.log(
      `loaded ${ENTRIES.toLocaleString("en")} transactions in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
        `(${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)})`,
    );

    // Warm-up, and the check that the timed runs walk the whole chain.
    const warm = await verifyLedger(db);
    if (!warm.ok || warm.checked !== ENTRIES)
      throw new Error(
        `the generated ledger does not verify: ${JSON.stringify(warm, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`,
      );

    console.log(
      `  load average before the timed run: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
    started = performance.now();
    const result = await verifyLedger(db);
    const endToEndMs = performance.now() - started;
    if (!result.ok) throw new Error("verification failed");

    // The verifier alone over rows in memory.
    started = performance.now();
    const verifier = new LedgerChainVerifier();
    for (const t of sample) if (!verifier.push(t)) throw new Error("sample does not verify");
    const verifierMs = performance.now() - started;

    // The verifier on the text form verifyLedger reads (what COPY gives, as strings).
    const texts: StoredTextTransaction[] = sample.map((t) => ({
      sequence: t.sequence.toString(),
      fromAccount: t.fromAccount,
      toAccount: t.toAccount,
      amount: t.amount.toString(),
      rule: t.rule,
      periodStart: t.periodStart?.toISOString() ?? "",
      reference: t.reference,
      inputs: JSON.stringify(t.inputs),
      createdAt: t.createdAt.toISOString(),
      prevHash: t.prevHash,
      hash: t.hash,
    }));
    started = performance.now();
    const textVerifier = new LedgerChainVerifier();
    for (const t of texts) if (!textVerifier.pushText(t)) throw new Error("text sample does not verify");
    const textMs = performance.now() - started;

    // Baseline: bare one-shot sha256 (hex, as compared) over the same canonical bytes, prepared beforehand.
    const canonical = sample.map(canonicalTransaction);
    started = performance.now();
    let sink = 0;
    for (const bytes of canonical) sink ^= hash("sha256", bytes, "hex").charCodeAt(0);
    const baselineMs = performance.now() - started;

    const perEntry = (ms: number, n: number) => ms / n;
    const base = perEntry(baselineMs, SAMPLE);
    console.log(
      `\nLedger verification (${ENTRIES.toLocaleString("en")} transactions; sample ${SAMPLE.toLocaleString("en")})`,
    );
    console.log(
      `  verifyLedger, end to end from PostgreSQL : ${rate(ENTRIES, endToEndMs)} (${(endToEndMs / 1000).toFixed(2)} s)  ` +
        `${(perEntry(endToEndMs, ENTRIES) / base).toFixed(2)}× the baseline's time per entry`,
    );
    console.log(
      `  LedgerChainVerifier, rows in memory      : ${rate(SAMPLE, verifierMs)}  ` +
        `${(perEntry(verifierMs, SAMPLE) / base).toFixed(2)}× the baseline's time per entry`,
    );
    console.log(
      `  verifier on the text form, in memory     : ${rate(SAMPLE, textMs)}  ` +
        `${(perEntry(textMs, SAMPLE) / base).toFixed(2)}× the baseline's time per entry`,
    );
    console.log(
      `  baseline: bare sha256 of canonical bytes : ${rate(SAMPLE, baselineMs)} (checksum ${sink})`,
    );
    console.log(
      `  load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
    const endToEndRate = (ENTRIES * 1000) / endToEndMs;
    console.log(
      `  target ≥ ${TARGET_RATE.toLocaleString("en")}/s end to end: ${endToEndRate >= TARGET_RATE ? "met" : "NOT met"}`,
    );
  } finally {
    await db.$disconnect();
    if (process.env.KEEP_BENCH_DB === "1") console.log(`kept ${url}`);
    else await dropDatabase(url);
  }
}

await main();
