import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  stringify,
  type Node,
  type YAMLError,
} from "yaml";
import { yamlNestingMessage, yamlNestingTooDeep } from "@/common/yaml-nesting";
import {
  formatFieldPath,
  intentSchema,
  validateIntent,
  type FieldPath,
  type Intent,
  type IntentContext,
  type IntentInput,
} from "./model";
import { isSecretName, REDACTED } from "@/server/secrets";
import { lastFieldName } from "@/common/human-issues";

/**
 * Intent YAML import and export (both spellings of the reference annex examples, in src/server/testing/intent-examples.ts).
 *
 * Import accepts what a person writes by hand as well as the normal form:
 * - the minimal TS 28.312 intent: `intentAdminState` (ACTIVATED),
 *   `intentPriority` and `observationPeriod` (the catalogue's INTENT_DEFAULTS)
 *   may be left out;
 * - the singular spellings — `intentExpectation`, `intentContext`,
 *   `expectationTarget`, `expectationContext`, `objectContext`,
 *   `targetContext` — each a list or one mapping, and `targetAttribute` for
 *   `targetName`;
 * - a top-level `Intent:` wrapper;
 * - a number where an id is text (`expectationId: 1`).
 * All become the one normal form. Every problem is a sentence for people
 * (common/human-issues.ts) naming the field as the document spells it, with
 * the line of the offending node. Secret contexts (an attribute named like a
 * secret: `bearer_token`, `apiKey`, `client-secret`, `PASSWORD`, …, see
 * `isSecretName`) are lifted into a separate map and replaced by
 * {@link REDACTED}; the caller encrypts them.
 */

// One marker and one predicate for every redaction in the product (secrets/redaction.ts).
export { REDACTED };

export interface IntentYamlIssue {
  /** Field path as the document spells it (`(root)` for syntax errors). */
  readonly field: string;
  /** A sentence for people naming the field ("targetCondition IS_SMALLER_THAN is not a condition; use one of …"). */
  readonly message: string;
  /** 1-based line and column in the YAML text, when known. */
  readonly line?: number;
  readonly column?: number;
}

export type IntentYamlResult =
  | {
      readonly ok: true;
      readonly intent: Intent;
      /** Secret values keyed by the field path of the redacted `contextValueRange`. */
      readonly secrets: Readonly<Record<string, string>>;
    }
  | { readonly ok: false; readonly error: string; readonly issues: readonly IntentYamlIssue[] };

/** The singular spelling of each list key: one mapping or a list, like the plural. */
const SINGULAR_KEYS: Readonly<Record<string, string>> = {
  intentExpectations: "intentExpectation",
  intentContexts: "intentContext",
  expectationTargets: "expectationTarget",
  expectationContexts: "expectationContext",
  objectContexts: "objectContext",
  targetContexts: "targetContext",
};

/** Keys of the variant spellings, by the normal-form key they stand for. */
const VARIANT_KEYS: Readonly<Record<string, string>> = {
  ...SINGULAR_KEYS,
  targetName: "targetAttribute",
};

/** The top-level wrapper a document may put the intent under (`Intent: {…}`). */
const WRAPPERS = ["Intent", "intent"] as const;

type Json = unknown;

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function rename(obj: Record<string, Json>, from: string, to: string): void {
  if (from in obj && !(to in obj)) {
    obj[to] = obj[from];
    delete obj[from];
  }
}

/** The list at `key` (or its singular spelling), a lone mapping made a one-element list. */
function listAt(obj: Record<string, Json>, key: string): Json[] {
  const singular = SINGULAR_KEYS[key];
  if (singular) rename(obj, singular, key);
  if (isRecord(obj[key])) obj[key] = [obj[key]];
  const list = obj[key];
  return Array.isArray(list) ? list : [];
}

/** A number written where the normal form has text (`expectationId: 1`) as that text. */
function textOf(obj: Record<string, Json>, key: string): void {
  const value = obj[key];
  if (typeof value === "number" && Number.isFinite(value)) obj[key] = String(value);
}

/** Rewrites the variant and singular spellings into the normal form, in place. */
function normaliseVariant(data: Record<string, Json>): void {
  textOf(data, "id");
  listAt(data, "intentContexts");
  for (const expectation of listAt(data, "intentExpectations")) {
    if (!isRecord(expectation)) continue;
    textOf(expectation, "expectationId");
    listAt(expectation, "expectationContexts");
    if (isRecord(expectation.expectationObject)) listAt(expectation.expectationObject, "objectContexts");
    for (const target of listAt(expectation, "expectationTargets")) {
      if (!isRecord(target)) continue;
      rename(target, "targetAttribute", "targetName");
      listAt(target, "targetContexts");
    }
  }
}

/** The document's intent: the root mapping, or the mapping under a lone `Intent:` key. */
function unwrap(data: Record<string, Json>): { intent: Json; wrapper: string | null } {
  const keys = Object.keys(data);
  const wrapper = WRAPPERS.find((w) => keys.length === 1 && keys[0] === w);
  return wrapper ? { intent: data[wrapper], wrapper } : { intent: data, wrapper: null };
}

function pairOf(node: Node, names: readonly string[]) {
  if (!isMap(node)) return undefined;
  for (const n of names) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === n);
    if (pair) return { pair, name: n };
  }
  return undefined;
}

interface Step {
  node: Node;
  /** The segment as the document writes it; null when it has none (the index of a lone mapping). */
  spelled: string | number | null;
}

function child(node: Node, segment: string | number): Step | null {
  // A single mapping written where a list is expected (`expectationTarget: {…}`) is its own element 0.
  if (isMap(node) && segment === 0) return { node, spelled: null };
  if (isSeq(node) && typeof segment === "number") {
    const item = node.items[segment];
    return item && typeof item === "object" ? { node: item as Node, spelled: segment } : null;
  }
  const variant = VARIANT_KEYS[String(segment)];
  const found = pairOf(node, [String(segment), ...(variant ? [variant] : [])]);
  if (!found) return null;
  const { pair, name } = found;
  if (pair.value && typeof pair.value === "object") return { node: pair.value as Node, spelled: name };
  return isScalar(pair.key) ? { node: pair.key, spelled: name } : null;
}

interface Located {
  /** The node at the path, or its deepest existing ancestor (a missing field is reported at its parent). */
  node: Node | null;
  /** The path as the document spells it (the rest of a missing path in the normal form). */
  spelled: (string | number)[];
}

/** The root of the intent in the document: the root node, or the value of its `Intent:` wrapper. */
function intentRoot(doc: Node | null): { node: Node | null; prefix: string[] } {
  if (doc && isMap(doc) && doc.items.length === 1) {
    const found = pairOf(doc, WRAPPERS);
    if (found?.pair.value && typeof found.pair.value === "object")
      return { node: found.pair.value as Node, prefix: [found.name] };
  }
  return { node: doc, prefix: [] };
}

function locate(doc: Node | null, path: FieldPath): Located {
  const root = intentRoot(doc);
  let node = root.node;
  const spelled: (string | number)[] = [...root.prefix];
  let i = 0;
  for (; i < path.length && node; i++) {
    const segment = path[i]!;
    const next = child(node, segment);
    if (!next) break;
    node = next.node;
    if (next.spelled !== null) spelled.push(next.spelled);
  }
  spelled.push(...path.slice(i));
  return { node, spelled };
}

/** The key node of the last segment, for unknown fields. */
function keyNodeAt(doc: Node | null, path: FieldPath): Node | null {
  const parent = locate(doc, path.slice(0, -1)).node;
  const last = path[path.length - 1];
  if (!parent || last === undefined) return null;
  const found = pairOf(parent, [String(last)]);
  return found && isScalar(found.pair.key) ? found.pair.key : null;
}

/** The message with its leading normal-form name in the document's spelling. */
function respell(message: string, path: FieldPath, spelled: FieldPath): string {
  const normal = lastFieldName(path);
  const own = lastFieldName(spelled);
  return normal && own && normal !== own && message.startsWith(normal)
    ? own + message.slice(normal.length)
    : message;
}

/** Where a field is in a YAML text, as its line and its path in the document's spelling. */
export interface YamlPlace {
  line?: number;
  /** The field path as the document spells it. */
  field: string;
  /** `message` with the field's name in the document's spelling. */
  message: string;
}

/**
 * The line of the field at `path` (normal-form segments; the variant and
 * singular spellings and the wrapper are followed), or of its deepest existing
 * ancestor, its path as the document spells it, and `message` in that
 * spelling. For problems found after parsing (a target the catalogue does not
 * know), so they read and point like the parser's own.
 */
export function placeInYaml(text: string, path: FieldPath, message: string): YamlPlace {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) return { field: formatFieldPath(path), message };
  const { node, spelled } = locate(doc.contents, path);
  const line = node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  return {
    ...(line !== undefined ? { line } : {}),
    field: formatFieldPath(spelled),
    message: respell(message, path, spelled),
  };
}

/** Everything before the field's own name: "intentExpectations[0].expectationTargets[1]" of "….targetCondition". */
function parentOf(field: string): string {
  const dot = field.lastIndexOf(".");
  return dot < 0 ? "" : field.slice(0, dot);
}

/**
 * One problem as a line of text: "line 7: targetCondition IS_SMALLER_THAN is
 * not a condition; use one of …"; without a line (JSON), the path of the
 * field's parent instead ("intentExpectations[0].expectationTargets[1]: …").
 */
export function describeIntentIssue(issue: { line?: number; field?: string; message: string }): string {
  if (issue.line !== undefined) return `line ${issue.line}: ${issue.message}`;
  const parent = issue.field && issue.field !== "(root)" ? parentOf(issue.field) : "";
  return parent ? `${parent}: ${issue.message}` : issue.message;
}

function describe(issues: readonly IntentYamlIssue[]): string {
  return issues.map(describeIntentIssue).join("\n");
}

function failure(issues: IntentYamlIssue[]): IntentYamlResult {
  return { ok: false, error: describe(issues), issues };
}

/** Rebuilds the intent with every context (at every level) passed through `fn`, given its field path. */
function mapContexts(intent: Intent, fn: (context: IntentContext, path: string) => IntentContext): Intent {
  const each = (list: readonly IntentContext[], path: FieldPath): IntentContext[] =>
    list.map((c, i) => fn(c, formatFieldPath([...path, i])));
  return {
    ...intent,
    intentContexts: each(intent.intentContexts, ["intentContexts"]),
    intentExpectations: intent.intentExpectations.map((e, i) => {
      const at: FieldPath = ["intentExpectations", i];
      return {
        ...e,
        expectationObject: {
          ...e.expectationObject,
          objectContexts: each(e.expectationObject.objectContexts, [
            ...at,
            "expectationObject",
            "objectContexts",
          ]),
        },
        expectationTargets: e.expectationTargets.map((t, j) => ({
          ...t,
          targetContexts: each(t.targetContexts, [...at, "expectationTargets", j, "targetContexts"]),
        })),
        expectationContexts: each(e.expectationContexts, [...at, "expectationContexts"]),
      };
    }),
  };
}

function isSecret(context: IntentContext): boolean {
  return isSecretName(context.contextAttribute);
}

/**
 * The intent with every secret context's value shown as {@link REDACTED}: what
 * answers show, also for rows stored before a context's name counted as secret.
 */
export function redactIntent(intent: Intent): Intent {
  return mapContexts(intent, (c) =>
    isSecret(c) && c.contextValueRange !== REDACTED ? { ...c, contextValueRange: REDACTED } : c,
  );
}

/** Replaces secret context values by {@link REDACTED}, returning them by field path. */
function liftSecrets(intent: Intent): { intent: Intent; secrets: Record<string, string> } {
  const secrets: Record<string, string> = {};
  const out = mapContexts(intent, (c, path) => {
    if (!isSecret(c) || c.contextValueRange === REDACTED) return c;
    const value = c.contextValueRange;
    secrets[`${path}.contextValueRange`] = typeof value === "string" ? value : JSON.stringify(value);
    return { ...c, contextValueRange: REDACTED };
  });
  return { intent: out, secrets };
}

/**
 * Puts decrypted secrets (as returned by {@link parseIntentYaml}) back into a
 * redacted intent, e.g. right before handing it to the component that needs them.
 */
export function restoreSecrets(intent: Intent, secrets: Readonly<Record<string, string>>): Intent {
  return mapContexts(intent, (c, path) => {
    const value = secrets[`${path}.contextValueRange`];
    return value !== undefined && isSecret(c) && c.contextValueRange === REDACTED
      ? { ...c, contextValueRange: value }
      : c;
  });
}

/** The parser's commonest complaints in plainer words (the rest as the parser says them). */
const SYNTAX_WORDS: Partial<Record<YAMLError["code"], string>> = {
  DUPLICATE_KEY: "a key appears twice in the same mapping; keep one",
  TAB_AS_INDENT: "tabs are not allowed as indentation; indent with spaces",
  MULTIPLE_DOCS: "one intent per file: remove the second document (after ---)",
};

/** Parses an intent YAML into the normal form, or reports every problem with its field and line. */
export function parseIntentYaml(text: string): IntentYamlResult {
  const tooDeep = yamlNestingTooDeep(text);
  if (tooDeep !== null) return failure([{ field: "(root)", message: yamlNestingMessage(), line: tooDeep }]);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // One problem per line: the parser's follow-up errors on the same line only repeat the first.
    const seen = new Set<number | undefined>();
    return failure(
      doc.errors.flatMap((e) => {
        const pos = e.linePos?.[0];
        if (seen.has(pos?.line)) return [];
        seen.add(pos?.line);
        const first = e.message.split("\n")[0] ?? e.message;
        const said = SYNTAX_WORDS[e.code] ?? first.replace(/ at line \d+, column \d+:?$/, "");
        const message = `the YAML does not parse: ${said}`;
        return [{ field: "(root)", message, line: pos?.line, column: pos?.col }];
      }),
    );
  }
  const root = doc.contents as Node | null;
  const notAMapping = (node: Node | null): IntentYamlResult => {
    const pos = node?.range ? lineCounter.linePos(node.range[0]) : { line: 1, col: 1 };
    return failure([
      {
        field: "(root)",
        message: "an intent must be a YAML mapping (id: …, userLabel: …, intentExpectations: …)",
        line: pos.line,
        column: pos.col,
      },
    ]);
  };
  const whole: Json = doc.toJS({ maxAliasCount: 100 });
  if (!isRecord(whole)) return notAMapping(root);
  const data = unwrap(whole).intent;
  if (!isRecord(data)) return notAMapping(intentRoot(root).node);
  normaliseVariant(data);
  const validation = validateIntent(data, { document: "yaml" });
  if (!validation.ok) {
    return failure(
      validation.issues.map((issue) => {
        const unknown = issue.path.length > 0 && / is not a field of /.test(issue.message);
        const { node: found, spelled } = locate(root, issue.path);
        const node = (unknown ? keyNodeAt(root, issue.path) : null) ?? found;
        const pos = node?.range ? lineCounter.linePos(node.range[0]) : undefined;
        return {
          field: formatFieldPath(spelled),
          message: respell(issue.message, issue.path, spelled),
          line: pos?.line,
          column: pos?.col,
        };
      }),
    );
  }
  const { intent, secrets } = liftSecrets(validation.intent);
  return { ok: true, intent, secrets };
}

/**
 * The 1-based line of the field at `path` (see {@link placeInYaml}); undefined
 * when the text does not parse.
 */
export function yamlLineOf(text: string, path: FieldPath): number | undefined {
  return placeInYaml(text, path, "").line;
}

/** Exports an intent in normal form as YAML; {@link parseIntentYaml} reads it back unchanged. */
export function intentToYaml(intent: Intent | IntentInput): string {
  return stringify(intentSchema.parse(intent), { lineWidth: 0 });
}
