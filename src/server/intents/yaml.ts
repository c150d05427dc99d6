import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Node } from "yaml";
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

/**
 * Intent YAML import and export (both spellings of the reference annex examples, in src/server/testing/intent-examples.ts).
 *
 * Import accepts the normal form and the variant that writes `expectationTarget`
 * with `targetAttribute`; both become the one normal form. Secret contexts
 * (an attribute named like a secret: `bearer_token`, `apiKey`, `client-secret`,
 * `PASSWORD`, …, see `isSecretName`) are lifted into a separate map and
 * replaced by {@link REDACTED}; the caller encrypts them.
 */

// One marker and one predicate for every redaction in the product (secrets/redaction.ts).
export { REDACTED };

export interface IntentYamlIssue {
  /** Field path in the normal form (`(root)` for syntax errors). */
  readonly field: string;
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

/** Keys of the variant spelling, by the normal-form key they stand for. */
const VARIANT_KEYS: Readonly<Record<string, string>> = {
  expectationTargets: "expectationTarget",
  targetName: "targetAttribute",
};

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

/** Rewrites the variant spelling into the normal form, in place. */
function normaliseVariant(data: Json): void {
  if (!isRecord(data) || !Array.isArray(data.intentExpectations)) return;
  for (const expectation of data.intentExpectations) {
    if (!isRecord(expectation)) continue;
    rename(expectation, "expectationTarget", "expectationTargets");
    const targets = expectation.expectationTargets;
    if (isRecord(targets)) expectation.expectationTargets = [targets];
    if (!Array.isArray(expectation.expectationTargets)) continue;
    for (const target of expectation.expectationTargets) {
      if (isRecord(target)) rename(target, "targetAttribute", "targetName");
    }
  }
}

function child(node: Node, segment: string | number): Node | null {
  // A single mapping written where a list is expected (`expectationTarget: {…}`) is its own element 0.
  if (isMap(node) && segment === 0) return node;
  if (isSeq(node) && typeof segment === "number") {
    const item = node.items[segment];
    return item && typeof item === "object" ? (item as Node) : null;
  }
  if (isMap(node)) {
    const names = [String(segment), VARIANT_KEYS[String(segment)]].filter((n): n is string => !!n);
    for (const n of names) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === n);
      if (pair) {
        if (pair.value && typeof pair.value === "object") return pair.value as Node;
        return isScalar(pair.key) ? pair.key : null;
      }
    }
  }
  return null;
}

/** The node at `path`, or its deepest existing ancestor (a missing field is reported at its parent). */
function nodeAt(root: Node | null, path: FieldPath): Node | null {
  let node = root;
  for (const segment of path) {
    if (!node) break;
    const next = child(node, segment);
    if (!next) break;
    node = next;
  }
  return node;
}

/** The key node of the last segment, for unknown fields. */
function keyNodeAt(root: Node | null, path: FieldPath): Node | null {
  const parent = nodeAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (!parent || !isMap(parent) || last === undefined) return null;
  const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last));
  return pair && isScalar(pair.key) ? pair.key : null;
}

function describe(issues: readonly IntentYamlIssue[]): string {
  return issues
    .map((i) => `${i.line === undefined ? "" : `line ${i.line}: `}${i.field}: ${i.message}`)
    .join("\n");
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

/** Parses an intent YAML into the normal form, or reports every problem with its field and line. */
export function parseIntentYaml(text: string): IntentYamlResult {
  const tooDeep = yamlNestingTooDeep(text);
  if (tooDeep !== null) return failure([{ field: "(root)", message: yamlNestingMessage(), line: tooDeep }]);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return failure(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const first = e.message.split("\n")[0] ?? e.message;
        const message = first.replace(/ at line \d+, column \d+:?$/, "");
        return { field: "(root)", message, line: pos?.line, column: pos?.col };
      }),
    );
  }
  const data: Json = doc.toJS({ maxAliasCount: 100 });
  const root = doc.contents as Node | null;
  if (!isRecord(data)) {
    const pos = root?.range ? lineCounter.linePos(root.range[0]) : { line: 1, col: 1 };
    return failure([
      { field: "(root)", message: "an intent must be a YAML mapping", line: pos.line, column: pos.col },
    ]);
  }
  normaliseVariant(data);
  const validation = validateIntent(data);
  if (!validation.ok) {
    return failure(
      validation.issues.map((issue) => {
        const unknown = issue.message.startsWith("unknown field");
        const node = (unknown ? keyNodeAt(root, issue.path) : null) ?? nodeAt(root, issue.path);
        const pos = node?.range ? lineCounter.linePos(node.range[0]) : undefined;
        return { field: issue.field, message: issue.message, line: pos?.line, column: pos?.col };
      }),
    );
  }
  const { intent, secrets } = liftSecrets(validation.intent);
  return { ok: true, intent, secrets };
}

/**
 * The 1-based line of the field at `path` (normal-form segments; the variant
 * spelling is followed too), or of its deepest existing ancestor; undefined
 * when the text does not parse. For problems found after parsing (a target the
 * catalogue does not know), so they point at a line like the parser's own.
 */
export function yamlLineOf(text: string, path: FieldPath): number | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) return undefined;
  const node = nodeAt(doc.contents, path);
  return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
}

/** Exports an intent in normal form as YAML; {@link parseIntentYaml} reads it back unchanged. */
export function intentToYaml(intent: Intent | IntentInput): string {
  return stringify(intentSchema.parse(intent), { lineWidth: 0 });
}
