/**
 * A small line-based YAML tokenizer for the manifest viewer: enough to
 * colour what rendered Kubernetes manifests contain (keys, strings, numbers,
 * booleans/null, comments, list dashes, document markers, block scalars).
 * It never fails: text it does not recognise is plain.
 */
export type TokenKind =
  "key" | "string" | "number" | "literal" | "comment" | "punctuation" | "marker" | "plain";

export interface Token {
  kind: TokenKind;
  text: string;
}

const LITERAL = /^(true|false|null|~|yes|no|on|off)$/i;
const NUMBER = /^[-+]?(\d[\d_]*(\.\d*)?([eE][-+]?\d+)?|\.\d+|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan)$/;
/** `key:` at the start of a mapping entry (plain, single- or double-quoted key). */
const KEY = /^(\s*)((?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"][^#]*?))(\s*:)(?=\s|$)/;

/** Splits a trailing ` # comment` off a value, respecting quotes. */
function splitComment(value: string): [string, string] {
  let quote: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(value[i - 1] ?? "")))
      return [value.slice(0, i), value.slice(i)];
  }
  return [value, ""];
}

function scalar(value: string): Token[] {
  const [body, comment] = splitComment(value);
  const trimmed = body.trimEnd();
  const trailing = body.slice(trimmed.length);
  const lead = trimmed.length - trimmed.trimStart().length;
  const text = trimmed.trimStart();
  const tokens: Token[] = [];
  if (lead > 0) tokens.push({ kind: "plain", text: trimmed.slice(0, lead) });
  if (text) {
    let kind: TokenKind = "plain";
    if (/^["']/.test(text)) kind = "string";
    else if (NUMBER.test(text)) kind = "number";
    else if (LITERAL.test(text)) kind = "literal";
    else if (/^[|>][-+]?\d*$/.test(text) || /^[&*!]/.test(text) || text === "{}" || text === "[]")
      kind = "punctuation";
    else kind = "string";
    tokens.push({ kind, text });
  }
  if (trailing) tokens.push({ kind: "plain", text: trailing });
  if (comment) tokens.push({ kind: "comment", text: comment });
  return tokens;
}

/** Tokens per line; joining every token's text gives the line back. */
export function highlightYaml(source: string): Token[][] {
  const lines = source.split("\n");
  const out: Token[][] = [];
  /** Indentation of the line that opened a block scalar (`key: |`), while inside it. */
  let blockIndent: number | undefined;
  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    if (blockIndent !== undefined) {
      if (line.trim() === "" || indent > blockIndent) {
        out.push(line ? [{ kind: "string", text: line }] : []);
        continue;
      }
      blockIndent = undefined;
    }
    if (line.trim() === "") {
      out.push(line ? [{ kind: "plain", text: line }] : []);
      continue;
    }
    if (/^(---|\.\.\.)(\s|$)/.test(line)) {
      const [marker, comment] = [line.slice(0, 3), line.slice(3)];
      out.push([
        { kind: "marker", text: marker },
        ...(comment ? [{ kind: "comment" as const, text: comment }] : []),
      ]);
      continue;
    }
    if (line.trimStart().startsWith("#")) {
      out.push([{ kind: "comment", text: line }]);
      continue;
    }
    const tokens: Token[] = [];
    let rest = line;
    // List dashes ("- ", possibly nested: "- - a").
    for (let m = /^(\s*)(-)(\s+|$)/.exec(rest); m; m = /^(\s*)(-)(\s+|$)/.exec(rest)) {
      if (m[1]) tokens.push({ kind: "plain", text: m[1] });
      tokens.push({ kind: "punctuation", text: "-" });
      if (m[3]) tokens.push({ kind: "plain", text: m[3] });
      rest = rest.slice(m[0].length);
    }
    const key = KEY.exec(rest);
    if (key) {
      const keyColumn = line.length - rest.length + (key[1]?.length ?? 0);
      if (key[1]) tokens.push({ kind: "plain", text: key[1] });
      tokens.push({ kind: "key", text: key[2] ?? "" });
      tokens.push({ kind: "punctuation", text: key[3] ?? ":" });
      rest = rest.slice(key[0].length);
      // A block scalar's lines are those indented deeper than its key.
      if (/^\s*[|>][-+]?\d*\s*(#.*)?$/.test(rest)) blockIndent = keyColumn;
    }
    if (rest) tokens.push(...scalar(rest));
    out.push(tokens);
  }
  return out;
}
