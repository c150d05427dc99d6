import { z } from "zod";

/**
 * 3GPP TS 28.312 target conditions over numbers, strings, ranges and lists.
 *
 * Standalone on purpose: placement uses it to filter clusters, the intent
 * evaluator uses it to judge observed values. A target that cannot be judged
 * (a string compared with a number, a range that is not two numbers, an empty
 * list) is a misconfiguration, reported as data with a machine reason and a
 * human message rather than silently read as "not satisfied".
 *
 * Semantics:
 * - IS_EQUAL_TO: same kind, strict equality (numbers exactly, strings case-sensitively).
 * - IS_LESS_THAN / IS_GREATER_THAN / IS_EQUAL_TO_OR_LESS_THAN / IS_EQUAL_TO_OR_GREATER_THAN:
 *   numbers only; strings have no agreed order.
 * - IS_WITHIN_RANGE / IS_OUTSIDE_RANGE: target `[low, high]` with low ≤ high; both
 *   bounds are inside the range (within is `low ≤ a ≤ high`, outside its negation).
 * - IS_ONE_OF / IS_NOT_ONE_OF: target is a non-empty list of the actual value's kind.
 * - IS_ALL_OF: target is a non-empty list; the actual value is a set (a list, or a
 *   single value read as a one-element set) that must contain every listed value.
 */

export const CONDITIONS = [
  "IS_EQUAL_TO",
  "IS_LESS_THAN",
  "IS_GREATER_THAN",
  "IS_WITHIN_RANGE",
  "IS_OUTSIDE_RANGE",
  "IS_ONE_OF",
  "IS_NOT_ONE_OF",
  "IS_EQUAL_TO_OR_LESS_THAN",
  "IS_EQUAL_TO_OR_GREATER_THAN",
  "IS_ALL_OF",
] as const;

export type Condition = (typeof CONDITIONS)[number];

export const conditionSchema = z.enum(CONDITIONS);

/** A target value as written in an intent: a number, a string, a `[low, high]` range or a list. */
export const conditionValueSchema = z.union([
  z.number(),
  z.string(),
  z.array(z.number()),
  z.array(z.string()),
]);
export type ConditionValue = number | string | readonly number[] | readonly string[];

/** An observed value: a single number or string, or a set of them (for IS_ALL_OF). */
export type ActualValue = number | string | readonly number[] | readonly string[];

export type ConditionErrorReason =
  "UnsupportedCondition" | "TypeMismatch" | "NotANumber" | "InvalidRange" | "EmptyList";

export type ConditionOutcome =
  | { readonly ok: true; readonly satisfied: boolean }
  | { readonly ok: false; readonly reason: ConditionErrorReason; readonly message: string };

/** Thrown by {@link conditionHolds} when the condition cannot be judged. */
export class ConditionError extends Error {
  override readonly name = "ConditionError";
  constructor(
    readonly reason: ConditionErrorReason,
    message: string,
  ) {
    super(message);
  }
}

type ValueKind = "number" | "string";
type Invalid = Extract<ConditionOutcome, { ok: false }>;

const SATISFIED: ConditionOutcome = { ok: true, satisfied: true };
const NOT_SATISFIED: ConditionOutcome = { ok: true, satisfied: false };

const ORDERED = new Set<Condition>([
  "IS_LESS_THAN",
  "IS_GREATER_THAN",
  "IS_EQUAL_TO_OR_LESS_THAN",
  "IS_EQUAL_TO_OR_GREATER_THAN",
]);
const RANGED = new Set<Condition>(["IS_WITHIN_RANGE", "IS_OUTSIDE_RANGE"]);
const LISTED = new Set<Condition>(["IS_ONE_OF", "IS_NOT_ONE_OF", "IS_ALL_OF"]);

export function isCondition(value: unknown): value is Condition {
  return typeof value === "string" && (CONDITIONS as readonly string[]).includes(value);
}

function invalid(reason: ConditionErrorReason, message: string): Invalid {
  return { ok: false, reason, message };
}

function show(value: unknown): string {
  return typeof value === "string"
    ? JSON.stringify(value)
    : Array.isArray(value)
      ? `[${value.map(show).join(", ")}]`
      : String(value);
}

function kindOf(value: unknown): ValueKind | "list" | "other" {
  if (typeof value === "number") return "number";
  if (typeof value === "string") return "string";
  if (Array.isArray(value)) return "list";
  return "other";
}

function badNumber(value: unknown, what: string): Invalid | null {
  return typeof value === "number" && !Number.isFinite(value)
    ? invalid("NotANumber", `${what} ${String(value)} is not a finite number`)
    : null;
}

/** The kind of every element of a list, or an error when the list is empty, mixed or holds non-finite numbers. */
function listKind(
  list: readonly unknown[],
  what: string,
  allowEmpty: boolean,
): ValueKind | "empty" | Invalid {
  if (list.length === 0) return allowEmpty ? "empty" : invalid("EmptyList", `${what} is an empty list`);
  const first = kindOf(list[0]);
  if (first !== "number" && first !== "string") {
    return invalid("TypeMismatch", `${what} ${show(list)} must list numbers or strings`);
  }
  for (const item of list) {
    if (kindOf(item) !== first) {
      return invalid("TypeMismatch", `${what} ${show(list)} mixes numbers and strings`);
    }
    const nan = badNumber(item, `${what} element`);
    if (nan) return nan;
  }
  return first;
}

/**
 * Checks the target value's shape for a condition, independent of any actual
 * value; `kind` (when known) is the kind of the property it will be compared with.
 * Returns null when the target is well formed.
 */
export function validateConditionValue(
  condition: string,
  expected: unknown,
  kind?: ValueKind,
): Invalid | null {
  if (!isCondition(condition))
    return invalid("UnsupportedCondition", `unsupported condition ${show(condition)}`);
  const expectedKind = kindOf(expected);
  if (ORDERED.has(condition)) {
    if (expectedKind !== "number") {
      return invalid("TypeMismatch", `${condition} needs a number target, got ${show(expected)}`);
    }
    if (kind === "string") return invalid("TypeMismatch", `${condition} cannot order strings`);
    return badNumber(expected, "target");
  }
  if (RANGED.has(condition)) {
    if (!Array.isArray(expected) || expected.length !== 2 || !expected.every((v) => typeof v === "number")) {
      return invalid(
        "InvalidRange",
        `${condition} needs a [low, high] pair of numbers, got ${show(expected)}`,
      );
    }
    const [low, high] = expected as [number, number];
    const nan = badNumber(low, "range bound") ?? badNumber(high, "range bound");
    if (nan) return nan;
    if (low > high) return invalid("InvalidRange", `${condition} range ${show(expected)} has low > high`);
    if (kind === "string")
      return invalid("TypeMismatch", `${condition} cannot compare strings with a numeric range`);
    return null;
  }
  if (LISTED.has(condition)) {
    if (!Array.isArray(expected)) {
      return invalid("TypeMismatch", `${condition} needs a list target, got ${show(expected)}`);
    }
    const elements = listKind(expected, "target", false);
    if (typeof elements === "object") return elements;
    if (kind && elements !== kind) {
      return invalid(
        "TypeMismatch",
        `${condition} target ${show(expected)} lists ${elements}s, the value is a ${kind}`,
      );
    }
    return null;
  }
  // IS_EQUAL_TO
  if (expectedKind !== "number" && expectedKind !== "string") {
    return invalid(
      "TypeMismatch",
      `${condition} needs a single number or string target, got ${show(expected)}`,
    );
  }
  if (kind && expectedKind !== kind) {
    return invalid(
      "TypeMismatch",
      `${condition} compares a ${kind} with a ${expectedKind} target ${show(expected)}`,
    );
  }
  return badNumber(expected, "target");
}

/** Judges `actual <condition> expected`; see the module comment for the semantics. */
export function evaluateCondition(condition: string, actual: unknown, expected: unknown): ConditionOutcome {
  const actualKind = kindOf(actual);
  if (actualKind === "other")
    return invalid("TypeMismatch", `actual value ${show(actual)} is not a number, string or list`);
  const nan = badNumber(actual, "actual value");
  if (nan) return nan;

  if (condition === "IS_ALL_OF") {
    const members: readonly unknown[] = Array.isArray(actual) ? actual : [actual];
    const memberKind = listKind(members, "actual value", true);
    if (typeof memberKind === "object") return memberKind;
    const error = validateConditionValue(
      condition,
      expected,
      memberKind === "empty" ? undefined : memberKind,
    );
    if (error) return error;
    const set = new Set(members);
    return (expected as readonly unknown[]).every((v) => set.has(v)) ? SATISFIED : NOT_SATISFIED;
  }

  if (actualKind === "list") {
    return invalid("TypeMismatch", `${condition} needs a single actual value, got the list ${show(actual)}`);
  }
  const error = validateConditionValue(condition, expected, actualKind);
  if (error) return error;
  const holds = judgeScalar(
    condition as Exclude<Condition, "IS_ALL_OF">,
    actual as number | string,
    expected,
  );
  return holds ? SATISFIED : NOT_SATISFIED;
}

/** Assumes the target was validated against the actual value's kind. */
function judgeScalar(
  condition: Exclude<Condition, "IS_ALL_OF">,
  a: number | string,
  expected: unknown,
): boolean {
  switch (condition) {
    case "IS_EQUAL_TO":
      return a === expected;
    case "IS_LESS_THAN":
      return (a as number) < (expected as number);
    case "IS_GREATER_THAN":
      return (a as number) > (expected as number);
    case "IS_EQUAL_TO_OR_LESS_THAN":
      return (a as number) <= (expected as number);
    case "IS_EQUAL_TO_OR_GREATER_THAN":
      return (a as number) >= (expected as number);
    case "IS_WITHIN_RANGE": {
      const [low, high] = expected as [number, number];
      return low <= (a as number) && (a as number) <= high;
    }
    case "IS_OUTSIDE_RANGE": {
      const [low, high] = expected as [number, number];
      return (a as number) < low || (a as number) > high;
    }
    case "IS_ONE_OF":
      return (expected as readonly unknown[]).includes(a);
    case "IS_NOT_ONE_OF":
      return !(expected as readonly unknown[]).includes(a);
  }
}

/** Like {@link evaluateCondition}, for callers that treat a misconfigured target as a programming error. */
export function conditionHolds(condition: string, actual: ActualValue, expected: ConditionValue): boolean {
  const outcome = evaluateCondition(condition, actual, expected);
  if (!outcome.ok) throw new ConditionError(outcome.reason, outcome.message);
  return outcome.satisfied;
}

export type CompiledCondition<T extends number | string> =
  { readonly ok: true; readonly test: (actual: T) => boolean } | Invalid;

/**
 * Validates a target once and returns a predicate over single values of one
 * kind, for loops that judge many values against the same target (the
 * placement engine). Agrees with {@link evaluateCondition} on every input.
 */
export function compileCondition(
  condition: string,
  expected: unknown,
  kind: "number",
): CompiledCondition<number>;
export function compileCondition(
  condition: string,
  expected: unknown,
  kind: "string",
): CompiledCondition<string>;
export function compileCondition(
  condition: string,
  expected: unknown,
  kind: ValueKind,
): CompiledCondition<number> | CompiledCondition<string> {
  const error = validateConditionValue(condition, expected, kind);
  if (error) return error;
  const c = condition as Condition;
  if (c === "IS_ALL_OF") {
    // A single value is a one-element set: it holds every listed value only if they all equal it.
    const list = expected as readonly (number | string)[];
    return { ok: true, test: (a: number | string) => list.every((v) => v === a) };
  }
  if (kind === "number") {
    const e = expected as number;
    switch (c) {
      case "IS_EQUAL_TO":
        return { ok: true, test: (a: number) => a === e };
      case "IS_LESS_THAN":
        return { ok: true, test: (a: number) => a < e };
      case "IS_GREATER_THAN":
        return { ok: true, test: (a: number) => a > e };
      case "IS_EQUAL_TO_OR_LESS_THAN":
        return { ok: true, test: (a: number) => a <= e };
      case "IS_EQUAL_TO_OR_GREATER_THAN":
        return { ok: true, test: (a: number) => a >= e };
      case "IS_WITHIN_RANGE": {
        const [low, high] = expected as [number, number];
        return { ok: true, test: (a: number) => low <= a && a <= high };
      }
      case "IS_OUTSIDE_RANGE": {
        const [low, high] = expected as [number, number];
        return { ok: true, test: (a: number) => a < low || a > high };
      }
    }
  }
  if (c === "IS_ONE_OF" || c === "IS_NOT_ONE_OF") {
    const set = new Set(expected as readonly (number | string)[]);
    const want = c === "IS_ONE_OF";
    return { ok: true, test: (a: number | string) => set.has(a) === want };
  }
  // Only IS_EQUAL_TO on strings remains: ordered and ranged conditions on strings were rejected above.
  return { ok: true, test: (a: number | string) => a === expected };
}

export interface FormatOptions {
  /** Appended to every number, e.g. " %" or " GB". */
  readonly unit?: string;
}

function formatValue(value: unknown, unit: string): string {
  if (typeof value === "number") return `${value}${unit}`;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map((v) => formatValue(v, unit)).join(", ");
  return String(value);
}

const OPERATOR: Record<Condition, string> = {
  IS_EQUAL_TO: "=",
  IS_LESS_THAN: "<",
  IS_GREATER_THAN: ">",
  IS_EQUAL_TO_OR_LESS_THAN: "≤",
  IS_EQUAL_TO_OR_GREATER_THAN: "≥",
  IS_WITHIN_RANGE: "within",
  IS_OUTSIDE_RANGE: "outside",
  IS_ONE_OF: "one of",
  IS_NOT_ONE_OF: "not one of",
  IS_ALL_OF: "all of",
};

/** The requirement in short human form: "> 95 %", "within [90 %, 99 %]", "one of {a, b}". */
export function describeCondition(
  condition: Condition,
  expected: ConditionValue,
  options: FormatOptions = {},
): string {
  const unit = options.unit ?? "";
  if (RANGED.has(condition)) return `${OPERATOR[condition]} [${formatValue(expected, unit)}]`;
  if (LISTED.has(condition)) return `${OPERATOR[condition]} {${formatValue(expected, unit)}}`;
  return `${OPERATOR[condition]} ${formatValue(expected, unit)}`;
}

/** A value list in words: "a", "a or b", "a, b or c" (`last` joins the final pair). */
function wordList(values: readonly unknown[], unit: string, last: string): string {
  const words = values.map((v) => formatValue(v, unit));
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} ${last} ${words.at(-1)}`;
}

/**
 * The requirement in words, for sentences about people's intents: "more than
 * 95 %", "at least 80 %", "between 90 % and 99 %", "one of low_cost or edge".
 * Symbols ("≤") read as the opposite of what is meant in a failure message.
 */
export function describeRequirement(
  condition: Condition,
  expected: ConditionValue,
  options: FormatOptions = {},
): string {
  const unit = options.unit ?? "";
  const list: readonly unknown[] = Array.isArray(expected) ? expected : [expected];
  switch (condition) {
    case "IS_EQUAL_TO":
      return formatValue(expected, unit);
    case "IS_LESS_THAN":
      return `less than ${formatValue(expected, unit)}`;
    case "IS_GREATER_THAN":
      return `more than ${formatValue(expected, unit)}`;
    case "IS_EQUAL_TO_OR_LESS_THAN":
      return `at most ${formatValue(expected, unit)}`;
    case "IS_EQUAL_TO_OR_GREATER_THAN":
      return `at least ${formatValue(expected, unit)}`;
    case "IS_WITHIN_RANGE":
      return `between ${formatValue(list[0], unit)} and ${formatValue(list[1], unit)}`;
    case "IS_OUTSIDE_RANGE":
      return `below ${formatValue(list[0], unit)} or above ${formatValue(list[1], unit)}`;
    case "IS_ONE_OF":
      return list.length === 1 ? formatValue(list[0], unit) : `one of ${wordList(list, unit, "or")}`;
    case "IS_NOT_ONE_OF":
      return `none of ${wordList(list, unit, "or")}`;
    case "IS_ALL_OF":
      return `all of ${wordList(list, unit, "and")}`;
  }
}

/**
 * Why an actual value fails a condition, as what is offered against what is
 * needed: "offers 90 %, needs more than 95 %", "offers 4, needs between 5 and 9".
 */
export function describeViolation(
  condition: Condition,
  actual: ActualValue,
  expected: ConditionValue,
  options: FormatOptions = {},
): string {
  const unit = options.unit ?? "";
  const offers = `offers ${formatValue(actual, unit)}, needs ${describeRequirement(condition, expected, options)}`;
  if (condition !== "IS_ALL_OF") return offers;
  const have = new Set<unknown>(Array.isArray(actual) ? actual : [actual]);
  const missing = (expected as readonly unknown[]).filter((v) => !have.has(v));
  return `${offers} (missing ${wordList(missing, unit, "and")})`;
}
