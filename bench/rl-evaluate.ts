/**
 * `npm run rl:evaluate`: the CFDRL evaluation lab. Tunes the HPA's target utilisation and trains
 * the DQN on the training seeds, evaluates random / HPA / DQN on the evaluation seeds of each
 * trace, prints the table (mean ± sd over seeds) and which targets are met and where HPA wins,
 * runs the migration comparison, writes JSON and a PNG chart, and stores a `cfdrl_evaluations`
 * row when DATABASE_URL is set.
 *
 *   npm run rl:evaluate -- [--json PATH] [--png PATH] [--traces steady,diurnal,bursty]
 *     [--minutes 1440] [--transitions 5000] [--training-seeds 1,2,3]
 *     [--evaluation-seeds 101,102,103,104,105] [--csv FILE] [--no-migration] [--no-db]
 *
 * --csv FILE replays your own traffic (timestamp,request_rate): the three policies, as tuned and
 * trained on the bursty trace's training seeds, run over it once per evaluation seed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { z } from "zod";
import { createDb, workerDbTimeouts } from "@/server/db/client";
import { type DqnAgent } from "@/server/rl/dqn";
import { evaluateCsvTrace, formatLabTable, formatTargets, runLab } from "@/server/rl/lab";
import { renderLabPlot, storeEvaluation } from "@/server/rl/lab-report";
import { formatMigrationComparison, runMigrationComparison } from "@/server/rl/migration-lab";
import { parseTraceCsv, traceKindSchema } from "@/server/rl/traces";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const list = (raw: string | undefined) =>
  raw === undefined ? undefined : raw.split(",").map((s) => s.trim());
const numbers = (raw: string | undefined) => list(raw)?.map(Number);

const argsSchema = z.object({
  json: z.string().min(1, "--json needs a path"),
  png: z.string().min(1, "--png needs a path"),
  traces: z.array(traceKindSchema).optional(),
  minutes: z.number().int("--minutes must be an integer").optional(),
  transitions: z.number().int("--transitions must be an integer").optional(),
  trainingSeeds: z.array(z.number().int("--training-seeds must be integers")).optional(),
  evaluationSeeds: z.array(z.number().int("--evaluation-seeds must be integers")).optional(),
  csv: z.string().optional(),
});

const parsed = argsSchema.safeParse({
  json: option("json") ?? "cfdrl-evaluation.json",
  png: option("png") ?? "cfdrl-evaluation.png",
  traces: list(option("traces")),
  minutes: option("minutes") === undefined ? undefined : Number(option("minutes")),
  transitions: option("transitions") === undefined ? undefined : Number(option("transitions")),
  trainingSeeds: numbers(option("training-seeds")),
  evaluationSeeds: numbers(option("evaluation-seeds")),
  csv: option("csv"),
});
if (!parsed.success) {
  process.stderr.write(`rl:evaluate: ${parsed.error.issues.map((i) => i.message).join("; ")}\n`);
  process.exit(2);
}
const args = parsed.data;
const started = performance.now();
const say = (line: string) => process.stdout.write(`${line}\n`);

const { traces, minutes, transitions, trainingSeeds, evaluationSeeds } = args;
// The bursty agent and HPA target, reused by the CSV replay and the migration comparison.
let bursty: { agent: DqnAgent; hpaTarget: number } | undefined;
const result = runLab(
  {
    ...(traces ? { traces } : {}),
    ...(minutes ? { minutes } : {}),
    ...(transitions ? { transitions } : {}),
    ...(trainingSeeds ? { trainingSeeds } : {}),
    ...(evaluationSeeds ? { evaluationSeeds } : {}),
  },
  {
    now: () => performance.now(),
    log: say,
    onTrained: (trace, agent, hpaTarget) => {
      if (trace === "bursty") bursty = { agent, hpaTarget };
    },
  },
);
say("");
say(formatLabTable(result));
say("");
say(formatTargets(result));

let csvSummary: ReturnType<typeof evaluateCsvTrace> | null = null;
if (args.csv) {
  const trace = parseTraceCsv(readFileSync(args.csv, "utf8"), args.csv);
  csvSummary = evaluateCsvTrace(result.config, trace, bursty);
  say("");
  say(`Replayed ${args.csv} (${trace.rates.length} minutes; policies tuned/trained on bursty):`);
  say(formatLabTable({ ...result, summary: csvSummary.summary }));
}

let migration: ReturnType<typeof runMigrationComparison> | null = null;
if (!flag("no-migration")) {
  migration = runMigrationComparison(
    {
      ...(trainingSeeds ? { trainingSeeds } : {}),
      ...(evaluationSeeds ? { evaluationSeeds } : {}),
      ...(minutes ? { minutes } : {}),
    },
    bursty?.agent,
  );
  say("");
  say(formatMigrationComparison(migration));
}

const seconds = (performance.now() - started) / 1000;
const output = { ...result, csv: csvSummary, migration, totalSeconds: seconds, loadAverage: loadavg() };
writeFileSync(args.json, JSON.stringify(output, null, 2));
const png = renderLabPlot(result);
writeFileSync(args.png, png);
say("");
say(`wrote ${args.json} and ${args.png}`);

if (process.env.DATABASE_URL && !flag("no-db")) {
  const db = createDb(undefined, workerDbTimeouts());
  try {
    const id = await storeEvaluation(db, { ...result, ...(migration ? { migration } : {}) }, png);
    say(`stored cfdrl_evaluations row ${id}`);
  } finally {
    await db.$disconnect();
  }
}
const cpu = process.cpuUsage();
say(
  `evaluation took ${seconds.toFixed(1)} s (target < 300 s), ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU; load average ${loadavg()
    .map((v) => v.toFixed(2))
    .join(" ")}`,
);
