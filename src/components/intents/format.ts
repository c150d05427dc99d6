/** Small formatting helpers the intents views share. */

/** How often the intents list and an open report re-read the server (the evaluator writes reports). */
export const INTENT_REFRESH_MS = 2_000;

export const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium" });
export const timeOnly = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** A time from the API (a Date through superjson, an ISO string from JSON) as text, or a dash. */
export function formatTime(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : dateTime.format(date);
}

export function timeOf(value: Date | string): number {
  return (value instanceof Date ? value : new Date(value)).getTime();
}

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
