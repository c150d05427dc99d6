import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/server/db";
import { applyMigrations, dropDatabase, ensureDatabase } from "@/server/db/migrate";
import { databaseUrlFor, runId } from "@/server/testing/services";
import { runLab } from "./lab";
import { renderLabPlot, storeEvaluation } from "./lab-report";

const url = databaseUrlFor(`nemo_rl_lab_${runId()}`);
let db: Db;

beforeAll(async () => {
  await ensureDatabase(url);
  await applyMigrations(url);
  db = createDb(url);
}, 120_000);

afterAll(async () => {
  await db.$disconnect();
  await dropDatabase(url);
});

describe("evaluation lab row", () => {
  it("stores the results without the per-minute series, and the PNG", async () => {
    const result = runLab({
      traces: ["bursty"],
      trainingSeeds: [1],
      evaluationSeeds: [7, 8],
      minutes: 30,
      transitions: 60,
      episodeMinutes: 15,
      hpaGrid: [0.8],
      plotSeed: 7,
    });
    const png = renderLabPlot(result);
    const id = await storeEvaluation(db, result, png);
    const row = await db.cfdrlEvaluation.findUniqueOrThrow({ where: { id } });
    const stored = row.results as {
      summary: Array<{ policy: string; meanReward: { mean: number } }>;
      series?: unknown;
    };
    expect(stored.series).toBeUndefined();
    expect(stored.summary.map((r) => r.policy)).toEqual(["random", "hpa", "dqn"]);
    expect(stored.summary[2]?.meanReward.mean).toBeCloseTo(result.summary[2]!.meanReward.mean, 12);
    expect(Buffer.from(row.plotPng!).equals(png)).toBe(true);
  });
});
