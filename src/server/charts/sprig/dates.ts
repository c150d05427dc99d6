/**
 * The Sprig date functions (now, date, dateInZone, toDate, dateModify, duration, ago, …).
 * Go's time semantics they rely on live in go-time.ts; this file is only Sprig's behaviour
 * on top (argument coercion, its rounding, what errors it swallows).
 */
import { GoError, SizedInt, goFunc, intOf, type GoFunc, type Value } from "../template/values";
import {
  GoTime,
  UTC,
  durationString,
  formatTime,
  loadLocation,
  parseDuration,
  parseTime,
  type Location,
} from "./go-time";

function toTime(date: Value): GoTime {
  if (date instanceof GoTime) return date;
  const i = intOf(date);
  if (i !== undefined) return GoTime.fromMillis(Number(i) * 1000);
  return GoTime.fromMillis(Date.now());
}

function formatDate(layout: string, date: Value, zone: string): string {
  const t = toTime(date);
  const loc = loadLocation(zone) ?? UTC;
  return formatTime(loc.at(t.sec, t.nsec), layout);
}

function durationRound(v: Value): string {
  let d = 0n;
  if (typeof v === "string") {
    try {
      d = parseDuration(v);
    } catch {
      d = 0n;
    }
  } else if (v instanceof SizedInt && v.type === "int64") d = v.v;
  else if (v instanceof GoTime) d = BigInt(Date.now() - v.sec * 1000) * 1000000n;
  let u = d < 0n ? -d : d;
  const second = 1000000000n;
  const minute = 60n * second;
  const hour = 60n * minute;
  const day = 24n * hour;
  const month = 30n * day;
  const year = 365n * day;
  u = BigInt.asUintN(64, u);
  if (u > year) return (u / year).toString() + "y";
  if (u > month) return (u / month).toString() + "mo";
  if (u > day) return (u / day).toString() + "d";
  if (u > hour) return (u / hour).toString() + "h";
  if (u > minute) return (u / minute).toString() + "m";
  if (u > second) return (u / second).toString() + "s";
  return "0s";
}

function dateModify(fmt: string, date: Value): GoTime {
  if (!(date instanceof GoTime)) throw new GoError("wrong type for value; expected time.Time");
  return date.add(parseDuration(fmt));
}

export function dateFuncs(): [string, GoFunc][] {
  const local = (): Location => UTC;
  return [
    ["now", goFunc([], () => GoTime.fromMillis(Date.now()))],
    ["date", goFunc(["string", "any"], (f, d) => formatDate(f as string, d, "Local"))],
    [
      "date_in_zone",
      goFunc(["string", "any", "string"], (f, d, z) => formatDate(f as string, d, z as string)),
    ],
    ["dateInZone", goFunc(["string", "any", "string"], (f, d, z) => formatDate(f as string, d, z as string))],
    ["htmlDate", goFunc(["any"], (d) => formatDate("2006-01-02", d, "Local"))],
    ["htmlDateInZone", goFunc(["any", "string"], (d, z) => formatDate("2006-01-02", d, z as string))],
    [
      "date_modify",
      goFunc(["string", "any"], (f, d) => {
        try {
          return dateModify(f as string, d);
        } catch {
          return d ?? null;
        }
      }),
    ],
    [
      "dateModify",
      goFunc(["string", "any"], (f, d) => {
        try {
          return dateModify(f as string, d);
        } catch {
          return d ?? null;
        }
      }),
    ],
    ["must_date_modify", goFunc(["string", "any"], (f, d) => dateModify(f as string, d))],
    ["mustDateModify", goFunc(["string", "any"], (f, d) => dateModify(f as string, d))],
    [
      "toDate",
      goFunc(["string", "string"], (f, s) => {
        try {
          return parseTime(f as string, s as string, local());
        } catch {
          return new GoTime(-62135596800, 0, 0, "UTC");
        }
      }),
    ],
    ["mustToDate", goFunc(["string", "string"], (f, s) => parseTime(f as string, s as string, local()))],
    [
      "unixEpoch",
      goFunc(["any"], (d) => {
        if (!(d instanceof GoTime)) throw new GoError("wrong type for value; expected time.Time");
        return String(d.sec);
      }),
    ],
    [
      "duration",
      goFunc(["any"], (v) => {
        let n = 0n;
        if (typeof v === "string") n = /^[+-]?\d+$/.test(v) ? BigInt(v) : 0n;
        else if (v instanceof SizedInt && v.type === "int64") n = v.v;
        return durationString(n * 1000000000n);
      }),
    ],
    ["durationRound", goFunc(["any"], (v) => durationRound(v))],
    [
      "ago",
      goFunc(["any"], (d) => {
        const t = toTime(d);
        const ms = Date.now() - (t.sec * 1000 + Math.floor(t.nsec / 1e6));
        return durationString(BigInt(Math.round(ms / 1000)) * 1000000000n);
      }),
    ],
  ];
}
