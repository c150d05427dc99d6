/** Sprig regex functions: Go RE2 syntax translated to JS RegExp, Go's match iteration and $-expansion. */
import { checkRegexInput } from "../template/limits";
import { GoError, goFunc, type GoFunc, type Value } from "../template/values";

const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

const JS_SYNTAX = "^$\\.*+?()[]{}|/";

/**
 * Compiled expressions by source. Bounded: the expressions come from tenants'
 * charts and values, so an unbounded map would grow with every distinct one a
 * render worker ever saw (the other render caches clear the same way).
 */
const cache = new Map<string, RegExp>();
export const REGEX_CACHE_MAX = 1_000;

/** Compile a Go regexp into a global JS RegExp (throws Go-style errors). */
export function compileGo(expr: string): RegExp {
  const hit = cache.get(expr);
  if (hit) return hit;
  const re = translate(expr);
  checkBacktracking(expr);
  if (cache.size >= REGEX_CACHE_MAX) cache.clear();
  cache.set(expr, re);
  return re;
}

/** Compiled expressions held now (the bound's test). */
export function regexCacheSize(): number {
  return cache.size;
}

function translate(expr: string): RegExp {
  let flags = "gu";
  let src = expr;
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1] ?? "") if (f !== "U" && !flags.includes(f)) flags += f;
    src = src.slice(lead[0].length);
  }
  let out = "";
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === "\\") {
      const n = src[i + 1] ?? "";
      i++;
      if (n === "Q") {
        const end = src.indexOf("\\E", i + 1);
        const lit = end < 0 ? src.slice(i + 1) : src.slice(i + 1, end);
        out += lit.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
        i = end < 0 ? src.length : end + 1;
        continue;
      }
      if (n === "A") out += "^";
      else if (n === "z") out += "$(?![\\s\\S])";
      else if (n === "p" || n === "P") {
        if (src[i + 1] === "{") {
          const end = src.indexOf("}", i);
          out += "\\" + n + src.slice(i + 1, end + 1);
          i = end;
        } else {
          out += `\\${n}{${src[i + 1] ?? ""}}`;
          i++;
        }
      } else if (/[A-Za-z0-9]/.test(n)) out += "\\" + n;
      else if (JS_SYNTAX.includes(n) || (inClass && n === "-")) out += "\\" + n;
      else out += "\\x" + n.charCodeAt(0).toString(16).padStart(2, "0");
      continue;
    }
    if (inClass) {
      if (c === "[" && src[i + 1] === ":") {
        const end = src.indexOf(":]", i);
        const name = src.slice(i + 2, end);
        const neg = name.startsWith("^");
        const cls = POSIX[neg ? name.slice(1) : name];
        if (end > 0 && cls !== undefined && !neg) {
          out += cls;
          i = end + 1;
          continue;
        }
      }
      if (c === "]") inClass = false;
      out += c === "[" ? "\\[" : c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (src[i + 1] === "^") {
        out += "^";
        i++;
      }
      if (src[i + 1] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (c === "(" && src.startsWith("(?P<", i)) {
      out += "(?<";
      i += 3;
      continue;
    }
    out += c;
  }
  let re: RegExp;
  try {
    re = new RegExp(out, flags);
  } catch (e) {
    throw new GoError(`error parsing regexp: ${(e as Error).message}: \`${expr}\``);
  }
  return re;
}

// ---------------------------------------------------------------------------
// Backtracking guard. Go's RE2 runs in linear time; JS backtracks, so a repeated group
// that can match the same text in several ways ("(a+)+$", "(\\w+\\s?)*$", "(a|a)*$")
// takes exponential time. Such patterns are refused; the rest run on bounded input
// (maxRegexInputBytes) inside the render's wall-clock limit.

interface Item {
  src: string;
  /** A single literal character, when the atom is one. */
  lit?: string;
  min: number;
  max: number;
  alts?: Item[][];
}

/** Parse Go regexp syntax into items (only what the guard needs; translate() validates). */
function parseItems(expr: string): Item[][] {
  let i = 0;
  const alt = (): Item[][] => {
    const out: Item[][] = [seq()];
    while (expr[i] === "|") {
      i++;
      out.push(seq());
    }
    return out;
  };
  const seq = (): Item[] => {
    const items: Item[] = [];
    while (i < expr.length && expr[i] !== "|" && expr[i] !== ")") {
      const start = i;
      const c = expr[i] as string;
      let item: Item | undefined;
      if (c === "\\") {
        const n = expr[i + 1] ?? "";
        i += 2;
        if (n === "Q") {
          const end = expr.indexOf("\\E", i);
          const text = end < 0 ? expr.slice(i) : expr.slice(i, end);
          i = end < 0 ? expr.length : end + 2;
          for (const ch of text) items.push({ src: quoteMeta(ch), lit: ch, min: 1, max: 1 });
          continue;
        }
        if ((n === "p" || n === "P") && expr[i] === "{") i = expr.indexOf("}", i) + 1 || expr.length;
        else if (n === "p" || n === "P" || n === "x") i++;
        item = { src: expr.slice(start, i), min: 1, max: 1 };
        if (/[^A-Za-z0-9]/.test(n)) item.lit = n;
      } else if (c === "[") {
        i++;
        if (expr[i] === "^") i++;
        if (expr[i] === "]") i++;
        while (i < expr.length && expr[i] !== "]") {
          if (expr[i] === "\\") i++;
          else if (expr[i] === "[" && expr[i + 1] === ":") i = expr.indexOf(":]", i) + 1 || expr.length;
          i++;
        }
        i++;
        item = { src: expr.slice(start, i), min: 1, max: 1 };
      } else if (c === "(") {
        i++;
        const flagsOnly = /^\?[imsU-]+\)/.exec(expr.slice(i));
        if (flagsOnly) {
          i += flagsOnly[0].length;
          continue;
        }
        const prefix = /^\?(?:[imsU-]*:|P?<[^>]*>)/.exec(expr.slice(i));
        if (prefix) i += prefix[0].length;
        const alts = alt();
        i++;
        item = { src: expr.slice(start, i), min: 1, max: 1, alts };
      } else {
        i += c.length;
        item = { src: expr.slice(start, i), min: 1, max: 1 };
        if (!"^$.".includes(c)) item.lit = c;
      }
      const q = /^(?:([*+?])|\{(\d+)(,(\d*))?\})\??/.exec(expr.slice(i));
      if (q) {
        i += q[0].length;
        if (q[1] === "*") [item.min, item.max] = [0, Infinity];
        else if (q[1] === "+") [item.min, item.max] = [1, Infinity];
        else if (q[1] === "?") [item.min, item.max] = [0, 1];
        else {
          item.min = Number(q[2]);
          item.max = q[3] === undefined ? item.min : q[4] ? Number(q[4]) : Infinity;
        }
        item.src = expr.slice(start, i);
      }
      items.push(item);
    }
    return items;
  };
  const out = alt();
  return out;
}

/** Items below a group that match a variable amount (optional or repeated). */
function variableItems(alts: Item[][], out: Item[] = []): Item[] {
  for (const seq of alts)
    for (const it of seq) {
      if (it.min !== it.max) out.push(it);
      else if (it.alts) variableItems(it.alts, out);
    }
  return out;
}

/** Whether a non-empty match of `item` can start with `ch` (sampled: enough for the guard). */
function canMatch(item: Item, ch: string): boolean {
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${translate(item.src).source})`, "u");
  } catch {
    return true;
  }
  return ["", ch, "a", "Z", "0", "-", ".", "_", " ", "/", ":", ","].some(
    (tail) => (re.exec(ch + tail)?.[0].length ?? 0) > 0,
  );
}

function refuse(expr: string, why: string): never {
  throw new GoError(
    `regular expression \`${expr}\` refused: ${why} can take exponential time without Go's RE2 engine (nested repetition)`,
  );
}

const MAX_FREE_ROUNDS = 4;

function checkBacktracking(expr: string): void {
  const walk = (alts: Item[][]): void => {
    for (const seq of alts)
      for (const it of seq) {
        if (!it.alts) continue;
        walk(it.alts);
        // A few rounds ("(?:[0-9]{1,3}\.){3}") stay polynomial and small.
        if (it.max <= MAX_FREE_ROUNDS) continue;
        const inner = variableItems(it.alts);
        if (it.alts.length > 1) {
          // Alternatives of a repeated group must be told apart by their first character.
          if (inner.length > 0) refuse(expr, `the repeated alternation ${it.src}`);
          const firsts = it.alts.map((a) => a[0]);
          for (const [x, f] of firsts.entries()) {
            const lead = f?.min === 1 ? f.lit : undefined;
            const others = firsts.filter((_, y) => y !== x);
            if (lead === undefined) {
              // Two non-literal starts cannot be compared; one against literals can.
              if (others.some((o) => o?.lit === undefined))
                refuse(expr, `the repeated alternation ${it.src}`);
            } else if (others.some((o) => o === undefined || canMatch(o, lead)))
              refuse(expr, `the repeated alternation ${it.src}`);
          }
          continue;
        }
        if (inner.length === 0) continue;
        // A repetition is unambiguous when each round starts with a literal nothing variable inside can eat.
        const first = it.alts[0]?.[0];
        const lead = first && first.min === 1 && first.max === 1 ? first.lit : undefined;
        if (lead === undefined || inner.some((x) => canMatch(x, lead)))
          refuse(expr, `the repeated group ${it.src}`);
      }
  };
  walk(parseItems(expr));
}

/** Go's allMatches: empty matches adjacent to the previous match are skipped. */
export function findAll(re: RegExp, s: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  if (n === 0) return out;
  let pos = 0;
  let prevEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === pos) {
      // An empty match; skip it if it abuts the previous match, then advance one rune.
      if (start === prevEnd) accept = false;
      const cp = s.codePointAt(pos);
      pos += cp === undefined ? 1 : cp > 0xffff ? 2 : 1;
    } else pos = end;
    prevEnd = end;
    if (accept) out.push(m);
  }
  return out;
}

/** regexp.Expand with Go's $name / ${name} template syntax. */
function expand(template: string, m: RegExpExecArray): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== "$") {
      out += c;
      continue;
    }
    const rest = template.slice(i + 1);
    if (rest.startsWith("$")) {
      out += "$";
      i++;
      continue;
    }
    let name: string | undefined;
    let len = 0;
    const braced = /^\{([A-Za-z0-9_]+)\}/.exec(rest);
    if (braced) {
      name = braced[1];
      len = braced[0].length;
    } else {
      const plain = /^[A-Za-z0-9_]+/.exec(rest);
      if (plain) {
        name = plain[0];
        len = plain[0].length;
      }
    }
    if (name === undefined) {
      out += "$";
      continue;
    }
    i += len;
    if (/^\d+$/.test(name)) out += m[Number(name)] ?? "";
    else out += m.groups?.[name] ?? "";
  }
  return out;
}

function replaceAll(re: RegExp, s: string, repl: (m: RegExpExecArray) => string): string {
  let out = "";
  let last = 0;
  for (const m of findAll(re, s, -1)) {
    out += s.slice(last, m.index) + repl(m);
    last = m.index + m[0].length;
  }
  return out + s.slice(last);
}

function split(re: RegExp, s: string, n: number): string[] {
  if (n === 0) return [];
  if (re.source !== "(?:)" && s.length === 0) return [""];
  const matches = findAll(re, s, n);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of matches) {
    if (n > 0 && out.length === n - 1) break;
    end = m.index;
    if (m.index + m[0].length !== 0) out.push(s.slice(beg, end));
    beg = m.index + m[0].length;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

function str(v: Value): string {
  return v as string;
}

/** The text a pattern runs over, within maxRegexInputBytes. */
function input(v: Value): string {
  const s = v as string;
  checkRegexInput(s);
  return s;
}

function pair(name: string, params: ("string" | "int")[], fn: (...a: Value[]) => Value): [string, GoFunc][] {
  // The plain form panics on a bad pattern; both surface as template errors.
  const must = "must" + (name[0] ?? "").toUpperCase() + name.slice(1);
  return [
    [name, goFunc(params, fn)],
    [must, goFunc(params, fn)],
  ];
}

export function regexFuncs(): [string, GoFunc][] {
  return [
    ...pair("regexMatch", ["string", "string"], (r, s) => {
      const re = compileGo(str(r));
      re.lastIndex = 0;
      return re.test(input(s));
    }),
    ...pair("regexFindAll", ["string", "string", "int"], (r, s, n) =>
      findAll(compileGo(str(r)), input(s), Number(n)).map((m) => m[0]),
    ),
    ...pair(
      "regexFind",
      ["string", "string"],
      (r, s) => findAll(compileGo(str(r)), input(s), 1)[0]?.[0] ?? "",
    ),
    ...pair("regexReplaceAll", ["string", "string", "string"], (r, s, t) =>
      replaceAll(compileGo(str(r)), input(s), (m) => expand(str(t), m)),
    ),
    ...pair("regexReplaceAllLiteral", ["string", "string", "string"], (r, s, t) =>
      replaceAll(compileGo(str(r)), input(s), () => str(t)),
    ),
    ...pair("regexSplit", ["string", "string", "int"], (r, s, n) =>
      split(compileGo(str(r)), input(s), Number(n)),
    ),
    ["regexQuoteMeta", goFunc(["string"], (s) => quoteMeta(str(s)))],
  ];
}
