/** Sprig defaults, JSON, reflection, flow control and random functions. */
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { GoError, goFunc, kindName, typeName, type GoFunc, type Value } from "../template/values";
import { checkStringBytes } from "../template/limits";
import { empty } from "./conv";
import { deepEqual } from "./lists";
import { marshalJSON, unmarshalJSON } from "./json";

function randString(count: bigint, alphabet: string): string {
  const n = Number(count);
  checkStringBytes(n, "random string");
  let out = "";
  for (let i = 0; i < n; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

const ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const NUM = "0123456789";
let ASCII = "";
for (let c = 32; c <= 126; c++) ASCII += String.fromCharCode(c);

export function jsonTry(v: Value, opts: Parameters<typeof marshalJSON>[1]): string {
  try {
    return marshalJSON(v, opts);
  } catch {
    return "";
  }
}

export function generalFuncs(): [string, GoFunc][] {
  return [
    [
      "default",
      goFunc(
        ["any"],
        (d, ...given) => (given.length === 0 || empty(given[0] ?? null) ? d : (given[0] ?? null)),
        "any",
      ),
    ],
    ["empty", goFunc(["any"], (v) => empty(v))],
    ["coalesce", goFunc([], (...v) => v.find((x) => !empty(x ?? null)) ?? null, "any")],
    ["all", goFunc([], (...v) => v.every((x) => !empty(x ?? null)), "any")],
    ["any", goFunc([], (...v) => v.some((x) => !empty(x ?? null)), "any")],
    ["ternary", goFunc(["any", "any", "bool"], (a, b, c) => (c ? a : b))],
    [
      "fromJson",
      goFunc(["string"], (s) => {
        try {
          return unmarshalJSON(s as string);
        } catch {
          return null;
        }
      }),
    ],
    ["mustFromJson", goFunc(["string"], (s) => unmarshalJSON(s as string))],
    ["toJson", goFunc(["any"], (v) => jsonTry(v, {}))],
    ["toPrettyJson", goFunc(["any"], (v) => jsonTry(v, { indent: "  " }))],
    ["toRawJson", goFunc(["any"], (v) => jsonTry(v, { escapeHTML: false }))],
    ["mustToJson", goFunc(["any"], (v) => marshalJSON(v))],
    ["mustToPrettyJson", goFunc(["any"], (v) => marshalJSON(v, { indent: "  " }))],
    ["mustToRawJson", goFunc(["any"], (v) => marshalJSON(v, { escapeHTML: false }))],
    ["typeOf", goFunc(["any"], (v) => typeName(v))],
    ["typeIs", goFunc(["string", "any"], (t, v) => t === typeName(v))],
    ["typeIsLike", goFunc(["string", "any"], (t, v) => t === typeName(v) || "*" + String(t) === typeName(v))],
    ["kindOf", goFunc(["any"], (v) => kindName(v))],
    ["kindIs", goFunc(["string", "any"], (t, v) => t === kindName(v))],
    ["deepEqual", goFunc(["any", "any"], (a, b) => deepEqual(a, b))],
    [
      "fail",
      goFunc(["string"], (msg) => {
        throw new GoError(msg as string);
      }),
    ],
    ["uuidv4", goFunc([], () => randomUUID())],
    ["randAlphaNum", goFunc(["int"], (n) => randString(n as bigint, ALPHA + NUM))],
    ["randAlpha", goFunc(["int"], (n) => randString(n as bigint, ALPHA))],
    ["randAscii", goFunc(["int"], (n) => randString(n as bigint, ASCII))],
    ["randNumeric", goFunc(["int"], (n) => randString(n as bigint, NUM))],
    [
      "randBytes",
      goFunc(["int"], (n) => {
        if ((n as bigint) < 0n) throw new GoError("invalid count");
        checkStringBytes(Number(n), "random bytes");
        return randomBytes(Number(n)).toString("base64");
      }),
    ],
    [
      "shuffle",
      goFunc(["string"], (s) => {
        const chars = [...(s as string)];
        for (let i = chars.length - 1; i > 0; i--) {
          const j = randomInt(i + 1);
          [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
        }
        return chars.join("");
      }),
    ],
    ["hello", goFunc([], () => "Hello!")],
    // DNS lookups are disabled (as in Helm without --enable-dns); env/expandenv are omitted as in Helm.
    ["getHostByName", goFunc(["string"], () => "")],
  ];
}
