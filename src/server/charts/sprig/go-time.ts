/**
 * Go's `time` package as templates see it: time.Time and time.Duration values, layouts
 * (Format / ParseInLocation), ParseDuration and Duration.String. Kept apart from the Sprig
 * functions in dates.ts because Helm's own functions and TOML use these semantics too.
 */
import { GoError, GoObject, SizedInt, goFunc, type GoFunc, type Value } from "../template/values";
import type { JSONMarshaler } from "./json";

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** A Go time.Time: Unix seconds + nanoseconds in a fixed-offset zone. */
export class GoTime extends GoObject implements JSONMarshaler {
  readonly goType = "time.Time";
  readonly kind = "struct";
  constructor(
    readonly sec: number,
    readonly nsec: number,
    readonly offset: number,
    readonly zone: string,
  ) {
    super();
  }
  static fromMillis(ms: number, loc: Location = UTC): GoTime {
    const sec = Math.floor(ms / 1000);
    return loc.at(sec, (ms - sec * 1000) * 1e6);
  }
  format(): string {
    return formatTime(this, "2006-01-02 15:04:05.999999999 -0700 MST");
  }
  override truth(): boolean {
    return true;
  }
  toJSONValue(): Value {
    return formatTime(this, "2006-01-02T15:04:05.999999999Z07:00");
  }
  override method(name: string): GoFunc | undefined {
    switch (name) {
      case "Unix":
        return goFunc([], () => new SizedInt("int64", BigInt(this.sec)));
      case "UnixNano":
        return goFunc([], () => new SizedInt("int64", BigInt(this.sec) * 1000000000n + BigInt(this.nsec)));
      case "Format":
        return goFunc(["string"], (l) => formatTime(this, l as string));
      case "Year":
        return goFunc([], () => BigInt(fields(this).year));
      case "UTC":
        return goFunc([], () => new GoTime(this.sec, this.nsec, 0, "UTC"));
      case "String":
        return goFunc([], () => this.format());
    }
    return undefined;
  }
  add(ns: bigint): GoTime {
    const total = BigInt(this.sec) * 1000000000n + BigInt(this.nsec) + ns;
    const sec = total / 1000000000n - (total % 1000000000n < 0n ? 1n : 0n);
    const nsec = Number(total - sec * 1000000000n);
    return new GoTime(Number(sec), nsec, this.offset, this.zone);
  }
}

export interface Location {
  name: string;
  at(sec: number, nsec: number): GoTime;
}

export const UTC: Location = { name: "UTC", at: (s, n) => new GoTime(s, n, 0, "UTC") };

/** time.LoadLocation; IANA zones are resolved through Intl. "Local" is the server zone, UTC here. */
export function loadLocation(name: string): Location | undefined {
  if (name === "" || name === "UTC" || name === "Local") return UTC;
  try {
    const dtf = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      timeZoneName: "short",
    });
    return {
      name,
      at(sec: number, nsec: number): GoTime {
        const parts = dtf.formatToParts(new Date(sec * 1000));
        const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
        const local =
          Date.UTC(
            get("year"),
            get("month") - 1,
            get("day"),
            get("hour") % 24,
            get("minute"),
            get("second"),
          ) / 1000;
        const abbr = parts.find((p) => p.type === "timeZoneName")?.value ?? name;
        return new GoTime(sec, nsec, local - sec, abbr);
      },
    };
  } catch {
    return undefined;
  }
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  min: number;
  sec: number;
  wday: number;
  yday: number;
}

function fields(t: GoTime): Fields {
  const d = new Date((t.sec + t.offset) * 1000);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    min: d.getUTCMinutes(),
    sec: d.getUTCSeconds(),
    wday: d.getUTCDay(),
    yday: Math.floor((d.getTime() - start) / 86400000) + 1,
  };
}

const STD_CHUNKS = [
  "January",
  "Jan",
  "Monday",
  "Mon",
  "MST",
  "2006",
  "002",
  "01",
  "02",
  "03",
  "04",
  "05",
  "06",
  "15",
  "_2",
  "1",
  "2",
  "3",
  "4",
  "5",
  "PM",
  "pm",
  "Z07:00:00",
  "Z070000",
  "Z07:00",
  "Z0700",
  "Z07",
  "-07:00:00",
  "-070000",
  "-07:00",
  "-0700",
  "-07",
];

/** Split a Go layout into literal text and std chunks. */
function tokenize(layout: string): string[] {
  const out: string[] = [];
  let lit = "";
  for (let i = 0; i < layout.length;) {
    const frac = /^[.,](0+|9+)(?![0-9])/.exec(layout.slice(i));
    if (frac && (i === 0 || true)) {
      if (lit) out.push(lit);
      lit = "";
      out.push(frac[0]);
      i += frac[0].length;
      continue;
    }
    let matched = "";
    for (const c of STD_CHUNKS) {
      if (layout.startsWith(c, i)) {
        // "Jan"/"Mon" must not be followed by a lower-case letter (e.g. "Monkey").
        if ((c === "Jan" || c === "Mon") && /[a-z]/.test(layout[i + 3] ?? "")) continue;
        matched = c;
        break;
      }
    }
    if (matched) {
      if (lit) out.push(lit);
      lit = "";
      out.push("\u0000" + matched);
      i += matched.length;
    } else {
      lit += layout[i];
      i++;
    }
  }
  if (lit) out.push(lit);
  return out;
}

function pad(n: number, w: number, ch = "0"): string {
  return String(n).padStart(w, ch);
}

function zoneOffset(off: number, chunk: string): string {
  if (chunk.startsWith("Z") && off === 0) return "Z";
  const sign = off < 0 ? "-" : "+";
  const a = Math.abs(off);
  const hh = pad(Math.floor(a / 3600), 2);
  const mm = pad(Math.floor((a % 3600) / 60), 2);
  const ss = pad(a % 60, 2);
  const c = chunk.replace(/^Z/, "-");
  switch (c) {
    case "-07:00:00":
      return `${sign}${hh}:${mm}:${ss}`;
    case "-070000":
      return `${sign}${hh}${mm}${ss}`;
    case "-07:00":
      return `${sign}${hh}:${mm}`;
    case "-0700":
      return `${sign}${hh}${mm}`;
    default:
      return `${sign}${hh}`;
  }
}

export function formatTime(t: GoTime, layout: string): string {
  const f = fields(t);
  let out = "";
  for (const tok of tokenize(layout)) {
    if (/^[.,](0+|9+)$/.test(tok)) {
      const digits = tok.length - 1;
      let frac = pad(t.nsec, 9).slice(0, digits);
      if (tok[1] === "9") {
        frac = frac.replace(/0+$/, "");
        if (frac) out += tok[0] + frac;
      } else out += tok[0] + frac;
      continue;
    }
    if (!tok.startsWith("\u0000")) {
      out += tok;
      continue;
    }
    const c = tok.slice(1);
    switch (c) {
      case "January":
        out += MONTHS[f.month - 1];
        break;
      case "Jan":
        out += (MONTHS[f.month - 1] ?? "").slice(0, 3);
        break;
      case "Monday":
        out += DAYS[f.wday];
        break;
      case "Mon":
        out += (DAYS[f.wday] ?? "").slice(0, 3);
        break;
      case "MST":
        out += t.zone || zoneOffset(t.offset, "-0700");
        break;
      case "2006":
        out += pad(f.year, 4);
        break;
      case "06":
        out += pad(f.year % 100, 2);
        break;
      case "002":
        out += pad(f.yday, 3);
        break;
      case "01":
        out += pad(f.month, 2);
        break;
      case "1":
        out += f.month;
        break;
      case "02":
        out += pad(f.day, 2);
        break;
      case "_2":
        out += pad(f.day, 2, " ");
        break;
      case "2":
        out += f.day;
        break;
      case "15":
        out += pad(f.hour, 2);
        break;
      case "03":
        out += pad(f.hour % 12 === 0 ? 12 : f.hour % 12, 2);
        break;
      case "3":
        out += f.hour % 12 === 0 ? 12 : f.hour % 12;
        break;
      case "04":
        out += pad(f.min, 2);
        break;
      case "4":
        out += f.min;
        break;
      case "05":
        out += pad(f.sec, 2);
        break;
      case "5":
        out += f.sec;
        break;
      case "PM":
        out += f.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += f.hour >= 12 ? "pm" : "am";
        break;
      default:
        out += zoneOffset(t.offset, c);
    }
  }
  return out;
}

/** time.ParseInLocation for the common layout elements. */
export function parseTime(layout: string, value: string, loc: Location): GoTime {
  let re = "^";
  const groups: string[] = [];
  for (const tok of tokenize(layout)) {
    if (/^[.,](0+|9+)$/.test(tok)) {
      re += tok[1] === "9" ? "(?:[.,](\\d+))?" : `[.,](\\d{${tok.length - 1}})`;
      groups.push("frac");
      continue;
    }
    if (!tok.startsWith("\u0000")) {
      re += tok.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
      continue;
    }
    const c = tok.slice(1);
    const map: Record<string, string> = {
      January: "([A-Za-z]+)",
      Jan: "([A-Za-z]{3})",
      Monday: "[A-Za-z]+",
      Mon: "[A-Za-z]{3}",
      MST: "([A-Z]{3,5}|[+-]\\d+)",
      "2006": "(\\d{4})",
      "06": "(\\d{2})",
      "002": "(\\d{3})",
      "01": "(\\d{2})",
      "1": "(\\d{1,2})",
      "02": "(\\d{2})",
      _2: " ?(\\d{1,2})",
      "2": "(\\d{1,2})",
      "15": "(\\d{1,2})",
      "03": "(\\d{2})",
      "3": "(\\d{1,2})",
      "04": "(\\d{2})",
      "4": "(\\d{1,2})",
      "05": "(\\d{2})",
      "5": "(\\d{1,2})",
      PM: "(AM|PM)",
      pm: "(am|pm)",
    };
    const r = map[c] ?? "(Z|[+-]\\d{2}(?::?\\d{2}(?::?\\d{2})?)?)";
    re += r;
    if (r.startsWith("(") || r.startsWith(" ?(")) groups.push(c);
  }
  re += "$";
  const m = new RegExp(re).exec(value);
  if (!m)
    throw new GoError(
      `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(value)} as ${JSON.stringify(layout)}`,
    );
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let pm: boolean | undefined;
  let offset: number | undefined;
  groups.forEach((g, i) => {
    const s = m[i + 1];
    if (s === undefined) return;
    switch (g) {
      case "January":
      case "Jan":
        month = MONTHS.findIndex((n) => n.toLowerCase().startsWith(s.toLowerCase())) + 1;
        break;
      case "2006":
        year = Number(s);
        break;
      case "06":
        year = Number(s) + (Number(s) >= 69 ? 1900 : 2000);
        break;
      case "01":
      case "1":
        month = Number(s);
        break;
      case "02":
      case "_2":
      case "2":
        day = Number(s);
        break;
      case "15":
      case "03":
      case "3":
        hour = Number(s);
        break;
      case "04":
      case "4":
        min = Number(s);
        break;
      case "05":
      case "5":
        sec = Number(s);
        break;
      case "PM":
      case "pm":
        pm = s.toUpperCase() === "PM";
        break;
      case "frac":
        nsec = Number(s.padEnd(9, "0").slice(0, 9));
        break;
      case "MST":
        break;
      default: {
        if (s === "Z") offset = 0;
        else {
          const d = s.replace(/:/g, "");
          const sign = d[0] === "-" ? -1 : 1;
          offset =
            sign *
            (Number(d.slice(1, 3)) * 3600 + Number(d.slice(3, 5) || 0) * 60 + Number(d.slice(5, 7) || 0));
        }
      }
    }
  });
  if (pm !== undefined) {
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59) {
    throw new GoError(`parsing time ${JSON.stringify(value)}: value out of range`);
  }
  const utc = Date.UTC(year, month - 1, day, hour, min, sec) / 1000;
  if (offset !== undefined) return new GoTime(utc - offset, nsec, offset, offset === 0 ? "UTC" : "");
  const guess = loc.at(utc, nsec);
  return loc.at(utc - guess.offset, nsec);
}

// --- durations

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1000000n,
  s: 1000000000n,
  m: 60000000000n,
  h: 3600000000000n,
};

/** time.ParseDuration, returning nanoseconds. */
export function parseDuration(s: string): bigint {
  const orig = s;
  let neg = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw new GoError(`time: invalid duration ${JSON.stringify(orig)}`);
  let total = 0;
  let totalBig = 0n;
  while (s !== "") {
    const m = /^(\d*)(\.(\d*))?/.exec(s);
    if (!m || (m[1] === "" && (m[3] ?? "") === ""))
      throw new GoError(`time: invalid duration ${JSON.stringify(orig)}`);
    s = s.slice(m[0].length);
    const u = /^[^\d.]+/.exec(s);
    if (!u) throw new GoError(`time: missing unit in duration ${JSON.stringify(orig)}`);
    const unit = UNITS[u[0]];
    if (unit === undefined)
      throw new GoError(`time: unknown unit ${JSON.stringify(u[0])} in duration ${JSON.stringify(orig)}`);
    s = s.slice(u[0].length);
    totalBig += BigInt(m[1] || "0") * unit;
    if (m[3]) total += Number("0." + m[3]) * Number(unit);
  }
  const ns = totalBig + BigInt(Math.round(total));
  return neg ? -ns : ns;
}

function fmtFrac(v: bigint, prec: number): [string, bigint] {
  let s = "";
  let print = false;
  let w = v;
  for (let i = 0; i < prec; i++) {
    const digit = w % 10n;
    print = print || digit !== 0n;
    if (print) s = digit.toString() + s;
    w /= 10n;
  }
  if (print) s = "." + s;
  return [s, w];
}

/** time.Duration.String. */
export function durationString(d: bigint): string {
  if (d === 0n) return "0s";
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  if (u < 1000000000n) {
    let prec: number;
    let unit: string;
    if (u < 1000n) return (neg ? "-" : "") + u.toString() + "ns";
    if (u < 1000000n) {
      prec = 3;
      unit = "µs";
    } else {
      prec = 6;
      unit = "ms";
    }
    const [frac, w] = fmtFrac(u, prec);
    out = w.toString() + frac + unit;
  } else {
    const [frac, w0] = fmtFrac(u, 9);
    u = w0;
    let s = (u % 60n).toString() + frac + "s";
    u /= 60n;
    if (u > 0n) {
      s = (u % 60n).toString() + "m" + s;
      u /= 60n;
      if (u > 0n) s = u.toString() + "h" + s;
    }
    out = s;
  }
  return (neg ? "-" : "") + out;
}

/** A Go time.Duration (nanoseconds). */
export class GoDuration extends GoObject implements JSONMarshaler {
  readonly goType = "time.Duration";
  readonly kind = "int64";
  constructor(readonly ns: bigint) {
    super();
  }
  format(): string {
    return durationString(this.ns);
  }
  override truth(): boolean {
    return this.ns !== 0n;
  }
  toJSONValue(): Value {
    return this.ns;
  }
  override method(name: string): GoFunc | undefined {
    if (name === "String") return goFunc([], () => this.format());
    if (name === "Seconds") return goFunc([], () => Number(this.ns) / 1e9);
    return undefined;
  }
}
