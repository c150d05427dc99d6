/** Small formatting helpers the intents views share. */

/** How often the intents list and an open report re-read the server (the evaluator writes reports). */
export const INTENT_REFRESH_MS = 2_000;

/** The 7-character form of an id, as tables show it. */
export const shortId = (id: string) => id.slice(0, 7);

const number = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 });
const scalar = (v: unknown) => (typeof v === "number" ? number.format(v) : String(v));

/** A value (or a [low, high] range) with its unit: "2 millicores", "90–99 %", "100,000,000 millicores". */
export function valueWithUnit(value: unknown, unit: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const text = Array.isArray(value) ? value.map(scalar).join("–") : scalar(value);
  return unit ? `${text} ${unit}` : text;
}
