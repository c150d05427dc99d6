import { isMap, isScalar, parseDocument, Scalar, visit, type Document } from "yaml";

/**
 * Which names hold secrets, and what a client sees instead of their values.
 * One predicate for every place that redacts (intent contexts, values
 * overrides, API answers), so they cannot disagree.
 */

/** What a client sees in place of a secret value (intents, values overrides, Secret manifests). */
export const REDACTED = "<redacted>";

/**
 * Fragments that make a name secret once it is lower-cased and its
 * separators are removed. Deliberately broad: `key` also matches `keyboard`
 * or `publicKey`, and hiding a harmless value costs less than showing a
 * password.
 */
const SECRET_FRAGMENTS = [
  "secret",
  "token",
  "password",
  "passwd",
  "key",
  "credential",
  "authorization",
] as const;

/** `X-Auth-Token` → `xauthtoken`: case and `-`, `_`, `.`, whitespace do not count. */
function normalisedName(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, "");
}

/** Whether a field, context attribute or header of this name holds a secret (`apiKey`, `client_secret`, `PASSWORD`, …). */
export function isSecretName(name: string): boolean {
  const normalised = normalisedName(name);
  return SECRET_FRAGMENTS.some((fragment) => normalised.includes(fragment));
}

/**
 * A copy of a JSON-like value with every value under a secret name replaced
 * by {@link REDACTED} (a whole subtree: `credentials: {…}` hides all of it).
 */
export function redactSecretValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecretValues);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      isSecretName(key) && inner !== null ? REDACTED : redactSecretValues(inner),
    ]),
  );
}

/** The YAML text of a document, or null when it cannot be written back (an alias to a replaced node). */
function written(doc: Document): string | null {
  try {
    return doc.toString({ lineWidth: 0 });
  } catch {
    return null;
  }
}

/**
 * YAML text (a values override) with the value of every key under a secret
 * name replaced by {@link REDACTED}; comments and layout are kept. Text that
 * does not parse, or that cannot be written back (an alias to a redacted
 * anchor would carry the value elsewhere), is redacted as a whole.
 */
export function redactYamlSecrets(text: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return REDACTED;
  let changed = false;
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || !isSecretName(String(pair.key.value))) return undefined;
      if (isScalar(pair.value) && (pair.value.value === null || pair.value.value === REDACTED))
        return undefined;
      pair.value = new Scalar(REDACTED);
      changed = true;
      return visit.SKIP;
    },
  });
  if (!changed) return text;
  return written(doc) ?? REDACTED;
}

/**
 * A rendered manifest (one YAML document) with the values of a `Secret`'s
 * `data` and `stringData` replaced by {@link REDACTED}; other kinds and
 * Secrets without values come back unchanged. A Secret that cannot be written
 * back is replaced whole.
 */
export function redactSecretManifest(content: string): string {
  const doc = parseDocument(content);
  if (doc.errors.length > 0 || !isMap(doc.contents) || doc.get("kind") !== "Secret") return content;
  let changed = false;
  for (const field of ["data", "stringData"]) {
    const values = doc.get(field, true);
    if (!isMap(values)) continue;
    for (const pair of values.items) {
      if (isScalar(pair.value) && pair.value.value === REDACTED) continue;
      pair.value = new Scalar(REDACTED);
      changed = true;
    }
  }
  if (!changed) return content;
  return written(doc) ?? `kind: Secret\n# ${REDACTED}\n`;
}

/** Whether a rendered manifest is a Kubernetes `Secret` (the ones sealed at rest). */
export function isSecretManifest(manifest: { kind: string }): boolean {
  return manifest.kind === "Secret";
}
