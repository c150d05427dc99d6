/**
 * The console's date and time formats, one set for every view (en-GB, the
 * browser's time zone). Views render dates with `<Time>` (./Time.tsx), which
 * keeps server-rendered and hydrated text equal; chart axes and tooltips,
 * drawn in the browser only, call `formatDate` directly.
 */
export const DATE_FORMATS = {
  /** "7 Dec 2026, 09:10:06": when something happened. */
  dateTime: { dateStyle: "medium", timeStyle: "medium" },
  /** "09:10:06": within the last hours (samples, steps). */
  time: { hour: "2-digit", minute: "2-digit", second: "2-digit" },
  /** "09:10": an axis over hours. */
  hourMinute: { hour: "2-digit", minute: "2-digit" },
  /** "07 Dec, 09:10:06": a point on a chart spanning days. */
  dayTime: { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit", second: "2-digit" },
  /** "07 Dec 2026, 09:10:06": a timeline entry. */
  timestamp: {
    year: "numeric",
    month: "short",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;

export type DateFormat = keyof typeof DATE_FORMATS;

/** A time from the API: a Date through superjson, an ISO string from JSON, or epoch milliseconds. */
export type DateInput = Date | string | number;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(format: DateFormat, timeZone: string | undefined): Intl.DateTimeFormat {
  const key = `${format}/${timeZone ?? ""}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat("en-GB", { ...DATE_FORMATS[format], ...(timeZone ? { timeZone } : {}) });
    formatters.set(key, found);
  }
  return found;
}

export function toDate(value: DateInput): Date {
  return value instanceof Date ? value : new Date(value);
}

/** `value` in one of the console's formats; `timeZone` only where the text must not depend on the machine. */
export function formatDate(value: DateInput, format: DateFormat = "dateTime", timeZone?: string): string {
  const date = toDate(value);
  return Number.isNaN(date.getTime()) ? String(value) : formatter(format, timeZone).format(date);
}

/** Epoch milliseconds of an API time. */
export function timeOf(value: DateInput): number {
  return toDate(value).getTime();
}
