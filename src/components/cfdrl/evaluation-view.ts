/**
 * The evaluation lab's stored results (`npm run rl:evaluate`, src/server/rl/lab.ts)
 * as the Orchestration page shows them: the summary per trace and policy
 * (mean ± sd over the evaluation seeds), the targets and whether each is met,
 * where the calibrated HPA wins, and the HPA target chosen per trace. Read
 * defensively: a run written by another version shows what can be read, and
 * `readable` is false when nothing can.
 */
export interface EvaluationSummaryRow {
  trace: string;
  policy: string;
  meanReward: string;
  meanReplicas: string;
  sloViolationRate: string;
  actions: string;
}

export interface EvaluationView {
  readable: boolean;
  summary: EvaluationSummaryRow[];
  targets: { id: string; description: string; met: boolean; detail: string }[];
  hpaWins: string[];
  hpaTargets: { trace: string; target: string }[];
  durationSeconds: number | null;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === "string" ? value : "");
const finite = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

/** "−5.84 ± 0.12" from `{mean, sd}` (or a bare number); `percent` shows fractions as %. */
export function spread(value: unknown, digits = 2, percent = false): string {
  const scale = percent ? 100 : 1;
  const unit = percent ? " %" : "";
  const bare = finite(value);
  if (bare !== null) return `${fixed(bare * scale, digits)}${unit}`;
  if (!isObject(value)) return "—";
  const mean = finite(value.mean);
  if (mean === null) return "—";
  const sd = finite(value.sd);
  return sd === null
    ? `${fixed(mean * scale, digits)}${unit}`
    : `${fixed(mean * scale, digits)} ± ${fixed(sd * scale, digits)}${unit}`;
}

const array = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function evaluationView(results: unknown): EvaluationView {
  const root = isObject(results) ? results : {};
  const summary = array(root.summary)
    .filter(isObject)
    .map((row) => ({
      trace: text(row.trace),
      policy: text(row.policy),
      meanReward: spread(row.meanReward, 2),
      meanReplicas: spread(row.meanReplicas, 2),
      sloViolationRate: spread(row.sloViolationRate, 1, true),
      actions: spread(row.actions, 0),
    }));
  const targets = array(root.targets)
    .filter(isObject)
    .map((t) => ({
      id: text(t.id),
      description: text(t.description),
      met: t.met === true,
      detail: text(t.detail),
    }));
  const hpaWins = array(root.hpaWins).filter((s): s is string => typeof s === "string");
  const hpaTargets = array(root.hpa)
    .filter(isObject)
    .map((h) => ({ trace: text(h.trace), target: spread(h.chosenTarget, 2) }));
  const duration = finite(root.durationMs);
  return {
    readable: summary.length > 0 || targets.length > 0,
    summary,
    targets,
    hpaWins,
    hpaTargets,
    durationSeconds: duration === null ? null : Math.round(duration / 100) / 10,
  };
}
