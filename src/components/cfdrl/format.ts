import type { CfdrlOutcome } from "@/common/cfdrl";

/** The decision vocabulary in words (tables, charts, the e2e spec). */
const ACTION_LABELS: Record<string, string> = {
  scale_down: "Scale down",
  keep: "Keep",
  scale_up: "Scale up",
  stay: "Stay",
  move: "Move",
};

export function actionLabel(action: string, toCluster?: string | null): string {
  const label = ACTION_LABELS[action] ?? action;
  return action === "move" && toCluster ? `${label} to ${toCluster}` : label;
}

export const OUTCOME_LABELS: Record<CfdrlOutcome, string> = {
  pending: "Pending",
  applied: "Applied",
  dropped: "Dropped",
  failed: "Failed",
};

export const OUTCOME_COLOURS: Record<CfdrlOutcome, "info" | "success" | "warning" | "error"> = {
  pending: "info",
  applied: "success",
  dropped: "warning",
  failed: "error",
};

/** A reward or loss with enough digits to compare neighbours, without a wall of decimals. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return Number(value.toPrecision(digits)).toString();
}

/** "2 → 3" for a scaling decision, "" when it has no replica change to show. */
export function replicaChange(from: number | null, to: number | null): string {
  if (from === null || to === null) return "";
  return from === to ? `${from}` : `${from} → ${to}`;
}

/**
 * A y-axis domain at least `minSpan` wide, centred on the data: a reward that barely moves
 * (−1.421 … −1.419) is drawn as the flat line it is, not stretched over the chart's height
 * with every tick reading the same rounded value.
 */
export function readableDomain(values: readonly number[], minSpan: number): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, minSpan];
  const low = Math.min(...finite);
  const high = Math.max(...finite);
  if (high - low >= minSpan) return [low, high];
  const middle = (low + high) / 2;
  return [middle - minSpan / 2, middle + minSpan / 2];
}
