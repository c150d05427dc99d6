/** TOML encode (BurntSushi/toml encoder layout) and a compact decoder for fromToml. */
import { formatFloat, quote } from "../template/format";
import { GoError, GoObject, SizedInt, sortedKeys, type GoMap, type Value } from "../template/values";
import { GoTime, formatTime } from "../sprig/go-time";

const bareKey = /^[A-Za-z0-9_-]+$/;

function tomlKey(k: string): string {
  return bareKey.test(k) ? k : quote(k);
}

function isTable(v: Value): v is GoMap {
  return v instanceof Map;
}

function isTableArray(v: Value): v is GoMap[] {
  return Array.isArray(v) && v.length > 0 && v.every(isTable);
}

function tomlValue(v: Value): string {
  if (v === null || v === undefined) throw new GoError("toml: cannot encode a nil value");
  if (typeof v === "string") return quote(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "bigint") return v.toString();
  if (v instanceof SizedInt) return v.v.toString();
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    const s = formatFloat(v, "f", -1);
    return s.includes(".") ? s : s + ".0";
  }
  if (v instanceof GoTime) return formatTime(v, "2006-01-02T15:04:05.999999999Z07:00");
  if (Array.isArray(v)) return "[" + v.map(tomlValue).join(", ") + "]";
  if (v instanceof Map)
    return (
      "{" +
      sortedKeys(v)
        .map((k) => `${tomlKey(k)} = ${tomlValue(v.get(k))}`)
        .join(", ") +
      "}"
    );
  if (v instanceof GoObject) return quote(v.format());
  return quote(String(v));
}

/** toml.NewEncoder(w).Encode(m). */
export function encodeTOML(v: Value): string {
  if (!(v instanceof Map)) throw new GoError("toml: top-level values must be Go maps or structs");
  let out = "";
  const writeTable = (m: GoMap, path: string[], indent: string): void => {
    const keys = sortedKeys(m);
    for (const k of keys) {
      const x = m.get(k);
      if (x === null || x === undefined || isTable(x) || isTableArray(x)) continue;
      out += `${indent}${tomlKey(k)} = ${tomlValue(x)}\n`;
    }
    for (const k of keys) {
      const x = m.get(k);
      const p = [...path, k];
      const name = p.map(tomlKey).join(".");
      if (isTable(x)) {
        if (out.length > 0) out += "\n";
        out += `${indent}[${name}]\n`;
        writeTable(x, p, indent + "  ");
      } else if (isTableArray(x)) {
        for (const t of x) {
          if (out.length > 0) out += "\n";
          out += `${indent}[[${name}]]\n`;
          writeTable(t, p, indent + "  ");
        }
      }
    }
  };
  writeTable(v, [], "");
  return out;
}

// ---------------------------------------------------------------------------
// Decoding

class TomlParser {
  i = 0;
  line = 1;
  constructor(readonly s: string) {}

  err(msg: string): never {
    throw new GoError(`toml: line ${this.line}: ${msg}`);
  }
  peek(): string {
    return this.s[this.i] ?? "";
  }
  skipWS(): void {
    while (this.peek() === " " || this.peek() === "\t") this.i++;
  }
  skipComment(): void {
    if (this.peek() === "#") while (this.i < this.s.length && this.peek() !== "\n") this.i++;
  }
  skipBlank(): void {
    for (;;) {
      this.skipWS();
      this.skipComment();
      if (this.peek() === "\n" || this.peek() === "\r") {
        if (this.peek() === "\n") this.line++;
        this.i++;
        continue;
      }
      return;
    }
  }
  endOfLine(): void {
    this.skipWS();
    this.skipComment();
    if (this.peek() === "\r") this.i++;
    if (this.i < this.s.length && this.peek() !== "\n")
      this.err(
        `expected a top-level item to end with a newline, comment, or EOF, but got '${this.peek()}' instead`,
      );
  }

  key(): string[] {
    const parts: string[] = [];
    for (;;) {
      this.skipWS();
      const c = this.peek();
      if (c === '"' || c === "'") parts.push(this.string());
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(this.s.slice(this.i));
        if (!m) {
          if (this.i >= this.s.length) this.err("unexpected EOF; expected key separator '='");
          this.err(`bare keys cannot contain '${c}'`);
        }
        parts.push(m[0]);
        this.i += m[0].length;
      }
      this.skipWS();
      if (this.peek() === ".") {
        this.i++;
        continue;
      }
      return parts;
    }
  }

  string(): string {
    const q = this.peek();
    const triple = this.s.startsWith(q.repeat(3), this.i);
    if (triple) {
      this.i += 3;
      if (this.peek() === "\n") this.i++;
      const end = this.s.indexOf(q.repeat(3), this.i);
      if (end < 0) this.err("unexpected EOF");
      const raw = this.s.slice(this.i, end);
      this.i = end + 3;
      for (const ch of raw) if (ch === "\n") this.line++;
      return q === "'" ? raw : this.unescape(raw.replace(/\\\r?\n\s*/g, ""));
    }
    this.i++;
    let raw = "";
    while (this.peek() !== q) {
      if (this.i >= this.s.length || this.peek() === "\n") this.err("unexpected EOF");
      if (q === '"' && this.peek() === "\\") {
        raw += this.s.slice(this.i, this.i + 2);
        this.i += 2;
        continue;
      }
      raw += this.peek();
      this.i++;
    }
    this.i++;
    return q === "'" ? raw : this.unescape(raw);
  }

  unescape(s: string): string {
    return s.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_m, e: string) => {
      switch (e[0]) {
        case "b":
          return "\b";
        case "t":
          return "\t";
        case "n":
          return "\n";
        case "f":
          return "\f";
        case "r":
          return "\r";
        case '"':
          return '"';
        case "\\":
          return "\\";
        case "u":
        case "U":
          return String.fromCodePoint(parseInt(e.slice(1), 16));
      }
      return this.err(`invalid escape character '${e}'`);
    });
  }

  value(): Value {
    this.skipWS();
    const c = this.peek();
    if (c === '"' || c === "'") return this.string();
    if (c === "[") {
      this.i++;
      const arr: Value[] = [];
      for (;;) {
        this.skipBlank();
        if (this.peek() === "]") {
          this.i++;
          return arr;
        }
        arr.push(this.value());
        this.skipBlank();
        if (this.peek() === ",") this.i++;
      }
    }
    if (c === "{") {
      this.i++;
      const m: GoMap = new Map();
      this.skipWS();
      if (this.peek() === "}") {
        this.i++;
        return m;
      }
      for (;;) {
        const k = this.key();
        if (this.peek() !== "=") this.err("expected '='");
        this.i++;
        setPath(m, k, this.value(), this);
        this.skipWS();
        if (this.peek() === ",") {
          this.i++;
          continue;
        }
        if (this.peek() === "}") {
          this.i++;
          return m;
        }
        this.err("expected ',' or '}'");
      }
    }
    const m = /^[^\s,\]}#]+/.exec(this.s.slice(this.i));
    if (!m) this.err("unexpected EOF; expected value");
    const tok = m[0];
    this.i += tok.length;
    if (tok === "true") return true;
    if (tok === "false") return false;
    const t = tok.replace(/_/g, "");
    if (/^[+-]?(0|[1-9]\d*)$/.test(t)) return new SizedInt("int64", BigInt(t));
    if (/^0x[0-9a-fA-F]+$|^0o[0-7]+$|^0b[01]+$/.test(t)) return new SizedInt("int64", BigInt(t));
    if (/^[+-]?(inf|nan)$/.test(t)) return t.endsWith("nan") ? NaN : t.startsWith("-") ? -Infinity : Infinity;
    if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t)) return Number(t);
    if (/^\d{4}-\d{2}-\d{2}/.test(tok)) {
      let dt = tok;
      if (/^\d{4}-\d{2}-\d{2}$/.test(tok) && /^ \d{2}:/.test(this.s.slice(this.i))) {
        const rest = /^ [^\s,\]}#]+/.exec(this.s.slice(this.i));
        if (rest) {
          dt += "T" + rest[0].slice(1);
          this.i += rest[0].length;
        }
      }
      const ms = Date.parse(dt);
      if (!Number.isNaN(ms)) return GoTime.fromMillis(ms);
      return dt;
    }
    return this.err(`invalid value '${tok}'`);
  }

  parse(): GoMap {
    const root: GoMap = new Map();
    let current = root;
    for (;;) {
      this.skipBlank();
      if (this.i >= this.s.length) return root;
      if (this.peek() === "[") {
        const arr = this.s.startsWith("[[", this.i);
        this.i += arr ? 2 : 1;
        const k = this.key();
        if (!this.s.startsWith(arr ? "]]" : "]", this.i)) this.err("expected ']'");
        this.i += arr ? 2 : 1;
        this.endOfLine();
        let t = root;
        for (let j = 0; j < k.length - 1; j++) t = descend(t, k[j] as string);
        const last = k[k.length - 1] as string;
        if (arr) {
          const list = (t.get(last) as Value[] | undefined) ?? [];
          const m: GoMap = new Map();
          list.push(m);
          t.set(last, list);
          current = m;
        } else {
          const existing = t.get(last);
          current = existing instanceof Map ? existing : new Map<string, Value>();
          t.set(last, current);
        }
        continue;
      }
      const k = this.key();
      if (this.peek() !== "=") {
        if (this.i >= this.s.length) this.err("unexpected EOF; expected key separator '='");
        this.err(`expected key separator '=', but got '${this.peek()}' instead`);
      }
      this.i++;
      setPath(current, k, this.value(), this);
      this.endOfLine();
    }
  }
}

function descend(t: GoMap, k: string): GoMap {
  const v = t.get(k);
  if (v instanceof Map) return v;
  if (Array.isArray(v) && v.length > 0 && v[v.length - 1] instanceof Map) return v[v.length - 1] as GoMap;
  const m: GoMap = new Map();
  t.set(k, m);
  return m;
}

function setPath(m: GoMap, k: string[], v: Value, p: TomlParser): void {
  let t = m;
  for (let j = 0; j < k.length - 1; j++) t = descend(t, k[j] as string);
  const last = k[k.length - 1] as string;
  if (t.has(last)) p.err(`Key '${k.join(".")}' has already been defined.`);
  t.set(last, v);
}

export function decodeTOML(s: string): GoMap {
  return new TomlParser(s).parse();
}
