/**
 * Helm's template function map: Sprig (without env/expandenv) plus Helm's own
 * functions. include/tpl/required/fail are bound per render by the engine.
 */
import { GoDuration, parseDuration } from "../sprig/go-time";
import { sprigFuncs } from "../sprig";
import { marshalJSON, unmarshalJSONAs } from "../sprig/json";
import { jsonTry } from "../sprig/general";
import {
  GoError,
  GoObject,
  SizedInt,
  goFunc,
  intOf,
  type FuncMap,
  type GoFunc,
  type GoMap,
  type Value,
} from "../template/values";
import { decodeTOML, encodeTOML } from "./toml";
import { marshalYAML, marshalYAMLPretty } from "./yaml-emitter";
import { yamlToTyped } from "./yaml-reader";

function errMap(msg: string): GoMap {
  return new Map<string, Value>([["Error", msg]]);
}

export function toYAML(v: Value): string {
  try {
    return marshalYAML(v).replace(/\n$/, "");
  } catch {
    return "";
  }
}

/** Duration from a Helm 4 duration-helper argument (numbers are seconds). */
function toDuration(v: Value): bigint {
  if (v === null || v === undefined) throw new GoError("cannot convert nil to duration");
  if (v instanceof GoDuration) return v.ns;
  const i = intOf(v);
  if (i !== undefined) return i * 1000000000n;
  if (typeof v === "number") return BigInt(Math.round(v * 1e9));
  if (typeof v === "string") {
    const s = v.trim();
    if (s === "") throw new GoError("empty duration string");
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return BigInt(Math.round(Number(s) * 1e9));
    return parseDuration(s);
  }
  throw new GoError(
    `cannot convert ${v instanceof GoObject ? v.goType : Array.isArray(v) ? "[]interface {}" : typeof v} to duration`,
  );
}

function safeDuration(v: Value): bigint {
  try {
    return toDuration(v);
  } catch {
    return 0n;
  }
}

function roundDuration(d: bigint, m: bigint, truncate: boolean): bigint {
  if (m <= 0n) return d;
  let r = d % m;
  if (truncate) return d - r;
  if (d < 0n) {
    r = -r;
    if (r + r < m) return d + r;
    return d - m + r;
  }
  if (r + r < m) return d - r;
  return d + m - r;
}

let helmBase: FuncMap | undefined;

/** The static part of Helm's function map (shared; copy before binding per-render functions). */
export function helmFuncs(): FuncMap {
  if (helmBase) return helmBase;
  const extra: [string, GoFunc][] = [
    [
      "toToml",
      goFunc(["any"], (v) => {
        try {
          return encodeTOML(v);
        } catch (e) {
          return (e as Error).message;
        }
      }),
    ],
    ["mustToToml", goFunc(["any"], (v) => encodeTOML(v))],
    [
      "fromToml",
      goFunc(["string"], (s) => {
        try {
          return decodeTOML(s as string);
        } catch (e) {
          return errMap((e as Error).message);
        }
      }),
    ],
    ["toYaml", goFunc(["any"], (v) => toYAML(v))],
    ["mustToYaml", goFunc(["any"], (v) => marshalYAML(v).replace(/\n$/, ""))],
    [
      "toYamlPretty",
      goFunc(["any"], (v) => {
        try {
          return marshalYAMLPretty(v).replace(/\n$/, "");
        } catch {
          return "";
        }
      }),
    ],
    [
      "fromYaml",
      goFunc(["string"], (s) => {
        try {
          return yamlToTyped(s as string, "map");
        } catch (e) {
          return errMap((e as Error).message);
        }
      }),
    ],
    [
      "fromYamlArray",
      goFunc(["string"], (s) => {
        try {
          return yamlToTyped(s as string, "slice");
        } catch (e) {
          return [(e as Error).message];
        }
      }),
    ],
    ["toJson", goFunc(["any"], (v) => jsonTry(v, {}))],
    ["mustToJson", goFunc(["any"], (v) => marshalJSON(v))],
    [
      "fromJson",
      goFunc(["string"], (s) => {
        try {
          return unmarshalJSONAs(s as string, "map");
        } catch (e) {
          return errMap((e as Error).message);
        }
      }),
    ],
    [
      "fromJsonArray",
      goFunc(["string"], (s) => {
        try {
          return unmarshalJSONAs(s as string, "slice");
        } catch (e) {
          return [(e as Error).message];
        }
      }),
    ],
    // Without a cluster connection lookup returns an empty map (never a network call).
    ["lookup", goFunc(["string", "string", "string", "string"], () => new Map())],
    // Helm 4 duration helpers.
    ["toDuration", goFunc(["any"], (v) => new GoDuration(safeDuration(v)))],
    ["mustToDuration", goFunc(["any"], (v) => new GoDuration(toDuration(v)))],
    ["durationSeconds", goFunc(["any"], (v) => Number(safeDuration(v)) / 1e9)],
    ["durationMilliseconds", goFunc(["any"], (v) => new SizedInt("int64", safeDuration(v) / 1000000n))],
    ["durationMicroseconds", goFunc(["any"], (v) => new SizedInt("int64", safeDuration(v) / 1000n))],
    ["durationNanoseconds", goFunc(["any"], (v) => new SizedInt("int64", safeDuration(v)))],
    ["durationMinutes", goFunc(["any"], (v) => Number(safeDuration(v)) / 6e10)],
    ["durationHours", goFunc(["any"], (v) => Number(safeDuration(v)) / 3.6e12)],
    ["durationDays", goFunc(["any"], (v) => Number(safeDuration(v)) / 8.64e13)],
    ["durationWeeks", goFunc(["any"], (v) => Number(safeDuration(v)) / 6.048e14)],
    [
      "durationRoundTo",
      goFunc(
        ["any", "any"],
        (v, m) => new GoDuration(roundDuration(safeDuration(v), safeDuration(m), false)),
      ),
    ],
    [
      "durationTruncateTo",
      goFunc(["any", "any"], (v, m) => new GoDuration(roundDuration(safeDuration(v), safeDuration(m), true))),
    ],
    // Placeholders so templates parse outside a render; the engine rebinds them.
    ["include", goFunc(["string", "any"], () => "not implemented")],
    ["tpl", goFunc(["string", "any"], () => "not implemented")],
    ["required", goFunc(["string", "any"], (_w, v) => v ?? null)],
  ];
  helmBase = new Map([...sprigFuncs(), ...extra]);
  return helmBase;
}
