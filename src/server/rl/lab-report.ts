/**
 * The evaluation lab's outputs besides the printed table: the reward-and-replicas chart as a PNG
 * (drawn server-side with @napi-rs/canvas, no browser) and the `cfdrl_evaluations` row the console
 * shows as "last results".
 */
import { createCanvas } from "@napi-rs/canvas";
import { type Db } from "@/server/db";
import { LAB_POLICIES, type LabPolicy, type LabResult, type LabSeries } from "./lab";

const COLORS: Record<LabPolicy, string> = { random: "#9e9e9e", hpa: "#1976d2", dqn: "#e65100" };
const PANEL = { width: 560, height: 220, left: 56, right: 16, top: 28, bottom: 34 };

/** Mean of each `window` consecutive values (a day of minutes is too dense to read raw). */
function smooth(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i += window) {
    const chunk = values.slice(i, i + window);
    out.push(chunk.reduce((a, b) => a + b, 0) / chunk.length);
  }
  return out;
}

type Ctx = ReturnType<ReturnType<typeof createCanvas>["getContext"]>;

function drawPanel(
  ctx: Ctx,
  x0: number,
  y0: number,
  title: string,
  lines: Array<{ color: string; values: number[]; dashed?: boolean }>,
  minutes: number,
  window: number,
): void {
  const w = PANEL.width - PANEL.left - PANEL.right;
  const h = PANEL.height - PANEL.top - PANEL.bottom;
  const all = lines.flatMap((l) => l.values);
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (!(hi > lo)) {
    hi = lo + 1;
    lo -= 1;
  }
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  ctx.fillStyle = "#000";
  ctx.font = "13px 'Liberation Sans', sans-serif";
  ctx.fillText(title, x0 + PANEL.left, y0 + 18);
  ctx.strokeStyle = "#bbb";
  ctx.lineWidth = 1;
  ctx.strokeRect(x0 + PANEL.left, y0 + PANEL.top, w, h);
  ctx.font = "11px 'Liberation Sans', sans-serif";
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    const y = y0 + PANEL.top + h - (h * i) / 4;
    ctx.fillStyle = "#444";
    ctx.fillText(v.toFixed(Math.abs(hi - lo) < 5 ? 2 : 0), x0 + 4, y + 4);
    ctx.strokeStyle = "#eee";
    ctx.beginPath();
    ctx.moveTo(x0 + PANEL.left, y);
    ctx.lineTo(x0 + PANEL.left + w, y);
    ctx.stroke();
  }
  const hours = minutes / 60;
  const tickEvery = hours > 12 ? 4 : hours > 4 ? 1 : Math.max(1 / 6, hours / 4);
  for (let t = 0; t <= hours + 1e-9; t += tickEvery) {
    const x = x0 + PANEL.left + (w * t) / Math.max(hours, 1e-9);
    ctx.fillStyle = "#444";
    ctx.fillText(`${Number.isInteger(t) ? t : t.toFixed(1)}h`, x - 8, y0 + PANEL.top + h + 14);
  }
  for (const line of lines) {
    ctx.strokeStyle = line.color;
    ctx.lineWidth = 1.5;
    ctx.setLineDash(line.dashed ? [4, 3] : []);
    ctx.beginPath();
    line.values.forEach((v, i) => {
      const x = x0 + PANEL.left + (w * (i * window + window / 2)) / minutes;
      const y = y0 + PANEL.top + h - (h * (v - lo)) / (hi - lo);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
  }
  ctx.setLineDash([]);
}

/** Reward and replicas over time on the plot seed, one row per trace, one line per policy (10-minute means). */
export function renderLabPlot(result: LabResult): Buffer {
  const traces = [...new Set(result.series.map((s) => s.trace))];
  const header = 40;
  const canvas = createCanvas(PANEL.width * 2, header + PANEL.height * Math.max(1, traces.length));
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = "#000";
  ctx.font = "bold 14px 'Liberation Sans', sans-serif";
  const seed = result.series[0]?.seed;
  ctx.fillText(`CFDRL evaluation lab — evaluation seed ${seed ?? "–"}, 10-minute means`, 12, 18);
  let x = 12;
  ctx.font = "12px 'Liberation Sans', sans-serif";
  for (const policy of LAB_POLICIES) {
    ctx.fillStyle = COLORS[policy];
    ctx.fillRect(x, 26, 18, 4);
    ctx.fillStyle = "#000";
    ctx.fillText(policy === "hpa" ? "HPA (calibrated)" : policy === "dqn" ? "DQN" : "random", x + 22, 32);
    x += 140;
  }
  traces.forEach((trace, row) => {
    const mine = (policy: LabPolicy): LabSeries | undefined =>
      result.series.find((s) => s.trace === trace && s.policy === policy);
    const minutes = Math.max(
      1,
      ...result.series.filter((s) => s.trace === trace).map((s) => s.reward.length),
    );
    const window = minutes >= 240 ? 10 : 1;
    const present = LAB_POLICIES.flatMap((p) => {
      const s = mine(p);
      return s ? [{ policy: p, series: s }] : [];
    });
    const y0 = header + row * PANEL.height;
    drawPanel(
      ctx,
      0,
      y0,
      `${trace}: reward per minute`,
      present.map(({ policy, series }) => ({ color: COLORS[policy], values: smooth(series.reward, window) })),
      minutes,
      window,
    );
    drawPanel(
      ctx,
      PANEL.width,
      y0,
      `${trace}: replicas (dashed: request rate / 100)`,
      [
        ...present.map(({ policy, series }) => ({
          color: COLORS[policy],
          values: smooth(series.replicas, window),
        })),
        ...(present[0]
          ? [
              {
                color: "#4caf50",
                values: smooth(present[0].series.requestRate, window).map((r) => r / 100),
                dashed: true,
              },
            ]
          : []),
      ],
      minutes,
      window,
    );
  });
  return canvas.toBuffer("image/png");
}

/** What the `cfdrl_evaluations` row keeps: everything but the per-minute series (those are in the PNG). */
export function storedResults(result: LabResult): Omit<LabResult, "series"> {
  const { series: _series, ...rest } = result;
  return rest;
}

/** Stores a run for the console ("last results"); returns the row id. */
export async function storeEvaluation(db: Db, result: LabResult, png: Buffer | null): Promise<number> {
  const row = await db.cfdrlEvaluation.create({
    data: {
      results: JSON.parse(JSON.stringify(storedResults(result))) as object,
      plotPng: png ? new Uint8Array(png) : null,
    },
    select: { id: true },
  });
  return row.id;
}
