import type { z } from "zod";

/**
 * Validation problems as sentences a person can act on, never the validation
 * library's own text ("Invalid option: expected one of …", "Expected string,
 * received number"). One translator for every door: the intent YAML / JSON
 * import, REST bodies and queries, and tRPC form input.
 *
 * A sentence names the field as the person wrote it (the last key of its
 * path, or the caller's spelling), lists the allowed values, and says the
 * expected type in words:
 *
 *   intentAdminState is required: ACTIVATED or DEACTIVATED
 *   targetCondition IS_SMALLER_THAN is not a condition; use one of IS_EQUAL_TO, …
 *   intentPriority must be a whole number from 1 to 100, not "high"
 *
 * Two ways in: {@link humanErrorMap} as zod's per-parse `error` option (the
 * issue still carries the input and the schema: the best sentences), and
 * {@link humanIssueMessage} / {@link humanZodMessage} after the fact (tRPC's
 * own input parsing), which keep every message a schema wrote itself.
 */

type FinalIssue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;
type AnyIssue = FinalIssue | RawIssue;

export interface HumanIssueOptions {
  /** The field as the person wrote it; default: the last key of the issue's path. */
  name?: string;
  /** What a key/value object is called where it was written: "a mapping" (YAML), "an object" (default). */
  objectWord?: string;
  /** The name of the whole input, for a problem at its root (default "the input"). */
  rootName?: string;
  /** Field names a misspelt key may have meant ("did you mean …?"); default: the schema's own keys, when known. */
  knownFields?: readonly string[];
}

/** Nouns for "X is not <noun>", by the field's name. */
const VALUE_NOUNS: Readonly<Record<string, string>> = {
  targetCondition: "a condition",
  contextCondition: "a condition",
  condition: "a condition",
  expectationVerb: "an expectation verb",
  intentAdminState: "an admin state",
  adminState: "an admin state",
  contextSelectivity: "a context selectivity",
  intentType: "an intent type",
  userLabel: "an intent type",
  action: "an action",
  source: "a source",
};

/** The singular of a list field's items, by the list's name. */
const ITEM_NOUNS: Readonly<Record<string, string>> = {
  intentExpectations: "expectation",
  expectationTargets: "target",
  targets: "target",
  supportedIntents: "intent type",
};

function itemNoun(listName: string): string {
  const known = ITEM_NOUNS[listName];
  if (known) return known;
  if (/contexts$/i.test(listName)) return "context";
  return "item";
}

function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}

/** `["a", 0, "b"]` → "b"; `["targets", 2]` → "targets[2]"; the root → undefined. */
export function lastFieldName(path: readonly PropertyKey[]): string | undefined {
  let name: string | undefined;
  let index = "";
  for (let i = path.length - 1; i >= 0; i--) {
    const segment = path[i];
    if (typeof segment === "number") {
      index = `[${segment}]${index}`;
      continue;
    }
    name = String(segment);
    break;
  }
  if (name === undefined) return index === "" ? undefined : `item ${index}`;
  return `${name}${index}`;
}

/** A value as quoted in a sentence: plain words bare, other text quoted, lists and objects named. */
export function showValue(value: unknown, objectWord = "an object"): string {
  if (value === null) return "empty";
  if (value === undefined) return "missing";
  if (typeof value === "string") {
    if (value.trim() === "") return "empty text";
    return /^[A-Za-z][\w.:/-]{0,63}$/.test(value) ? value : JSON.stringify(value.slice(0, 80));
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return objectWord;
  return typeof value;
}

/** `["A"]` → "A"; `["A", "B"]` → "A or B"; more → "A, B or C". */
export function orList(values: readonly unknown[]): string {
  const words = values.map((v) => String(v));
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** How "use …" reads for a choice: "use A", "use A or B", "use one of A, B, C". */
function chooseFrom(values: readonly unknown[]): string {
  return values.length > 2 ? `use one of ${values.map(String).join(", ")}` : `use ${orList(values)}`;
}

interface NumberBounds {
  integer: boolean;
  min?: { value: number; inclusive: boolean };
  max?: { value: number; inclusive: boolean };
}

type CheckDef = { check?: string; value?: unknown; inclusive?: boolean; format?: string };

/** A number schema's bounds and integer-ness, read from its checks when the issue carries the schema. */
function numberBounds(issue: AnyIssue): NumberBounds {
  // A check's issue names the schema it belongs to (`schema`); a type issue is the schema's own (`inst`).
  type Carrier = { _zod?: { def?: { checks?: unknown } } };
  const { schema, inst } = issue as { schema?: Carrier; inst?: Carrier };
  const checks = (schema ?? inst)?._zod?.def?.checks;
  const bounds: NumberBounds = { integer: false };
  if (!Array.isArray(checks)) return bounds;
  for (const check of checks as Array<{ _zod?: { def?: CheckDef } }>) {
    const def = check._zod?.def;
    if (!def) continue;
    if (def.check === "number_format" && /int/.test(def.format ?? "")) bounds.integer = true;
    const value = typeof def.value === "number" ? def.value : undefined;
    if (value === undefined) continue;
    if (def.check === "greater_than") bounds.min = { value, inclusive: def.inclusive === true };
    if (def.check === "less_than") bounds.max = { value, inclusive: def.inclusive === true };
  }
  return bounds;
}

/** "a whole number from 1 to 100", "a number greater than 0", … from the schema's checks, when known. */
function numberWords(expected: string, issue: AnyIssue): string {
  const { integer, min, max } = numberBounds(issue);
  const kind = integer || expected === "int" ? "a whole number" : "a number";
  if (min?.inclusive && max?.inclusive) return `${kind} from ${min.value} to ${max.value}`;
  const low = min ? (min.inclusive ? `at least ${min.value}` : `greater than ${min.value}`) : undefined;
  const high = max ? (max.inclusive ? `at most ${max.value}` : `less than ${max.value}`) : undefined;
  if (low && high) return `${kind} ${low.startsWith("at") ? "of " : ""}${low} and ${high}`;
  const bound = low ?? high;
  return bound ? `${kind} ${bound.startsWith("at") ? "of " : ""}${bound}` : kind;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  bigint: "a whole number",
  array: "a list",
  tuple: "a list",
  date: "a date",
  null: "empty",
  undefined: "nothing",
  file: "a file",
};

function typeWords(expected: string, issue: AnyIssue, objectWord: string): string {
  if (expected === "number" || expected === "int") return numberWords(expected, issue);
  if (expected === "object" || expected === "record" || expected === "map") return objectWord;
  return TYPE_WORDS[expected] ?? expected;
}

/** The kind of value zod's default text says it received ("received number"), after the fact. */
function receivedFromMessage(message: string | undefined): string | undefined {
  return message ? /received (\w+)$/.exec(message)?.[1] : undefined;
}

function hasInput(issue: AnyIssue): boolean {
  return "input" in issue;
}

/** A required field left out or left empty (`key:` with no value in YAML is null). */
function isMissing(issue: AnyIssue): boolean {
  if (hasInput(issue)) return issue.input === undefined || issue.input === null;
  return issue.code === "invalid_type" && /received (undefined|null)$/.test(issue.message ?? "");
}

function formatWords(format: string): string {
  switch (format) {
    case "datetime":
      return "a date and time like 2026-12-01T00:00:00Z";
    case "date":
      return "a date like 2026-12-01";
    case "time":
      return "a time like 13:45:00";
    case "email":
      return "an e-mail address";
    case "url":
      return "a URL";
    case "uuid":
    case "guid":
      return "a UUID";
    case "ipv4":
      return "an IPv4 address";
    case "ipv6":
      return "an IPv6 address";
    case "cidrv4":
      return "an IPv4 range like 10.1.0.0/16";
    case "duration":
      return "an ISO 8601 duration like PT5M";
    default:
      return article(format);
  }
}

/** Edit distance, for "did you mean …?". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The known field a misspelt key most likely meant (case-insensitive, at most a third of it changed). */
export function closestField(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    if (name === key) continue;
    const d = distance(key.toLowerCase(), name.toLowerCase());
    if (d <= Math.max(2, Math.floor(name.length / 3)) && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

function shapeKeys(issue: AnyIssue): string[] {
  const inst = (issue as { inst?: { _zod?: { def?: { shape?: unknown } } } }).inst;
  const shape = inst?._zod?.def?.shape;
  return typeof shape === "object" && shape !== null ? Object.keys(shape) : [];
}

/** "x is not a field of the intent; did you mean y?" for one unknown key. */
export function unknownFieldMessage(
  key: string,
  parentPath: readonly PropertyKey[],
  known: readonly string[],
  options: Pick<HumanIssueOptions, "rootName"> & { parentName?: string } = {},
): string {
  const last = parentPath[parentPath.length - 1];
  const parentName =
    options.parentName ??
    (last === undefined
      ? (options.rootName ?? "the input")
      : typeof last === "number"
        ? `this ${itemNoun(String(parentPath[parentPath.length - 2] ?? ""))}`
        : String(last));
  const guess = closestField(key, known);
  return `${key} is not a field of ${parentName}${guess ? `; did you mean ${guess}?` : ""}`;
}

/** What a union accepts, in words, from its options' types when the schema is at hand. */
function unionWords(issue: AnyIssue, objectWord: string): string | undefined {
  const inst = (issue as { inst?: { _zod?: { def?: { options?: unknown } } } }).inst;
  const options = inst?._zod?.def?.options;
  if (!Array.isArray(options)) return undefined;
  const words: string[] = [];
  for (const option of options as Array<{ _zod?: { def?: { type?: string; element?: unknown } } }>) {
    const def = option._zod?.def;
    if (!def?.type) return undefined;
    if (def.type === "array") {
      const element = (def.element as { _zod?: { def?: { type?: string } } } | undefined)?._zod?.def?.type;
      const inner = element === "string" ? "texts" : element === "number" ? "numbers" : "values";
      if (!words.includes("a list of " + inner)) words.push(`a list of ${inner}`);
      continue;
    }
    const word = def.type === "object" ? objectWord : (TYPE_WORDS[def.type] ?? def.type);
    if (!words.includes(word)) words.push(word);
  }
  return words.length > 0 ? orList(words) : undefined;
}

/** One issue as a sentence; see the module comment. */
export function humanIssueMessage(issue: AnyIssue, options: HumanIssueOptions = {}): string {
  const objectWord = options.objectWord ?? "an object";
  const name = options.name ?? lastFieldName(issue.path ?? []) ?? options.rootName ?? "the input";
  const input = hasInput(issue) ? issue.input : undefined;
  const shown = hasInput(issue) ? showValue(input, objectWord) : undefined;
  switch (issue.code) {
    case "invalid_type": {
      const words = typeWords(issue.expected, issue, objectWord);
      if (isMissing(issue)) return `${name} is required: ${words}`;
      if (typeof input === "string")
        return `${name} must be ${words}, not the text ${JSON.stringify(input.slice(0, 80))}`;
      if (shown !== undefined) return `${name} must be ${words}, not ${shown}`;
      const received = receivedFromMessage(issue.message);
      const receivedWords: Readonly<Record<string, string>> = {
        string: "text",
        array: "a list",
        object: objectWord,
        boolean: "true or false",
        null: "empty",
      };
      return received
        ? `${name} must be ${words}, not ${receivedWords[received] ?? article(received)}`
        : `${name} must be ${words}`;
    }
    case "invalid_value": {
      const values = issue.values.map((v) => (typeof v === "string" ? v : String(v)));
      if (isMissing(issue)) return `${name} is required: ${orList(values)}`;
      if (shown === undefined) return `${name} must be ${orList(values)}`;
      const noun = VALUE_NOUNS[name.replace(/\[\d+\]$/, "")] ?? "allowed";
      const what = noun === "allowed" ? "is not allowed" : `is not ${noun}`;
      return `${name} ${shown} ${what}; ${chooseFrom(values)}`;
    }
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.origin === "string")
        return min <= 1 ? `${name} must not be empty` : `${name} must have at least ${min} characters`;
      if (issue.origin === "array" || issue.origin === "set") {
        const noun = itemNoun(name);
        return min <= 1 ? `${name} needs at least one ${noun}` : `${name} needs at least ${min} ${noun}s`;
      }
      const range = issue.origin === "number" || issue.origin === "int" ? numberWords("number", issue) : "";
      const bound = / (from|than|at) /.test(range)
        ? range
        : issue.inclusive === false
          ? `greater than ${min}`
          : `at least ${min}`;
      return `${name} must be ${bound}${shown !== undefined ? `, not ${shown}` : ""}`;
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.origin === "string") return `${name} must have at most ${max} characters`;
      if (issue.origin === "array" || issue.origin === "set")
        return `${name} takes at most ${max} ${itemNoun(name)}${max === 1 ? "" : "s"}`;
      const range = issue.origin === "number" || issue.origin === "int" ? numberWords("number", issue) : "";
      const bound = / (from|than|at) /.test(range)
        ? range
        : issue.inclusive === false
          ? `less than ${max}`
          : `at most ${max}`;
      return `${name} must be ${bound}${shown !== undefined ? `, not ${shown}` : ""}`;
    }
    case "invalid_format": {
      if (issue.format === "starts_with" && "prefix" in issue)
        return `${name} must start with ${String(issue.prefix)}`;
      if (issue.format === "ends_with" && "suffix" in issue)
        return `${name} must end with ${String(issue.suffix)}`;
      if (issue.format === "regex" || issue.format === "includes")
        return `${name} ${shown ?? ""} does not have the expected form`.replace("  ", " ");
      return `${name} must be ${formatWords(issue.format)}${shown !== undefined ? `, not ${shown}` : ""}`;
    }
    case "not_multiple_of":
      return `${name} must be a multiple of ${issue.divisor}`;
    case "unrecognized_keys": {
      const known = options.knownFields ?? shapeKeys(issue);
      const path = issue.path ?? [];
      return issue.keys.map((key) => unknownFieldMessage(key, path, known, options)).join("; ");
    }
    case "invalid_union": {
      if (isMissing(issue)) {
        const words = unionWords(issue, objectWord);
        return words ? `${name} is required: ${words}` : `${name} is required`;
      }
      const words = unionWords(issue, objectWord);
      if (words) return `${name} must be ${words}${shown !== undefined ? `, not ${shown}` : ""}`;
      return `${name} does not have a form accepted here`;
    }
    case "invalid_key":
      return `${name} has a key that is not allowed`;
    case "invalid_element":
      return `${name} has an element that is not allowed`;
    case "custom":
      return issue.message && !isZodDefaultText(issue.code, issue.message)
        ? issue.message
        : `${name} is not valid`;
  }
}

/** Whether a final issue's message is zod's own default text for its code (not a schema's message). */
export function isZodDefaultText(code: string, message: string): boolean {
  switch (code) {
    case "invalid_type":
      return /^Invalid input: expected \w+(, received \w+)?$/.test(message);
    case "invalid_value":
      return /^Invalid (option|input): expected /.test(message);
    case "too_small":
      return message.startsWith("Too small: ");
    case "too_big":
      return message.startsWith("Too big: ");
    case "invalid_format":
      return /^Invalid (string: |[A-Za-z0-9 -]+$)/.test(message);
    case "not_multiple_of":
      return message.startsWith("Invalid number: must be a multiple of");
    case "unrecognized_keys":
      return /^Unrecognized keys?: /.test(message);
    case "invalid_key":
    case "invalid_element":
      return /^Invalid (key|element) in /.test(message);
    case "invalid_union":
    case "custom":
      return message === "Invalid input";
    default:
      return false;
  }
}

/**
 * A final issue's message for people: the schema's own message when it wrote
 * one, else the translation of zod's default text. For errors parsed without
 * {@link humanErrorMap} (tRPC input).
 */
export function humanZodMessage(issue: FinalIssue, options: HumanIssueOptions = {}): string {
  return isZodDefaultText(issue.code, issue.message) ? humanIssueMessage(issue, options) : issue.message;
}

/**
 * zod's per-parse error map: `schema.safeParse(value, { error: humanErrorMap })`.
 * Only consulted where the schema wrote no message of its own.
 */
export const humanErrorMap: z.core.$ZodErrorMap = (issue) => humanIssueMessage(issue);

/** The same map for YAML documents: objects are "a mapping". */
export const humanYamlErrorMap: z.core.$ZodErrorMap = (issue) =>
  humanIssueMessage(issue, { objectWord: "a mapping", rootName: "the document" });
