import { z } from "zod";
import { ADMIN_STATES } from "@/common/intent-status";
import { INTENT_DEFAULTS } from "@/common/intent-catalogue";
import { humanIssueMessage, unknownFieldMessage } from "@/common/human-issues";
import { conditionSchema, conditionValueSchema, validateConditionValue } from "@/server/placement";

/**
 * 3GPP TS 28.312 intents in the product's normal form: what an uploaded YAML
 * or a form turns into, and what is stored. Pure schemas, no I/O.
 *
 * Condition semantics live in `@/server/placement` (conditions.ts); here the
 * value of every target and context is only checked to be judgeable.
 */

export const CONTEXT_SELECTIVITIES = ["ALL_OF", "ONE_OF", "ANY_OF"] as const;
export { ADMIN_STATES } from "@/common/intent-status";
export const EXPECTATION_VERBS = ["DELIVER", "ENSURE"] as const;

// Messages come from the one translator (common/human-issues.ts), in the document's spelling.
const name = z.string().trim().min(1);

const RANGE_CONDITIONS: ReadonlySet<string> = new Set(["IS_WITHIN_RANGE", "IS_OUTSIDE_RANGE"]);
const LIST_CONDITIONS: ReadonlySet<string> = new Set(["IS_ONE_OF", "IS_NOT_ONE_OF", "IS_ALL_OF"]);

/** A value as a sentence quotes it: `"lots"`, `[5, 1]`, `7`. */
function quote(value: unknown): string {
  return Array.isArray(value) ? `[${value.map((v) => JSON.stringify(v)).join(", ")}]` : JSON.stringify(value);
}

/** Why a target or context value cannot be judged under its condition, as a sentence naming the field. */
function valueSentence(
  field: string,
  condition: string,
  value: unknown,
  reason: string,
  fallback: string,
): string {
  const shown = quote(value);
  switch (reason) {
    case "InvalidRange":
      return Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "number")
        ? `${field} ${shown} has its low value above its high value; write [low, high]`
        : `${field} must be a [low, high] pair of numbers for ${condition}, not ${shown}`;
    case "EmptyList":
      return `${field} must list at least one value for ${condition}`;
    case "NotANumber":
      return `${field} must be a finite number, not ${shown}`;
    case "TypeMismatch":
      if (RANGE_CONDITIONS.has(condition)) return `${field}: ${fallback}`;
      if (LIST_CONDITIONS.has(condition))
        return Array.isArray(value)
          ? `${field} ${shown} must list only numbers or only texts`
          : `${field} must be a list of values for ${condition}, not ${shown}`;
      return condition === "IS_EQUAL_TO"
        ? `${field} must be one number or one text for IS_EQUAL_TO, not ${shown}`
        : `${field} must be a number for ${condition}, not ${shown}`;
    default:
      return `${field}: ${fallback}`;
  }
}

function checkValue(condition: string, value: unknown, field: string, ctx: z.RefinementCtx): void {
  const problem = validateConditionValue(condition, value);
  if (problem) {
    const message = valueSentence(field, condition, value, problem.reason, problem.message);
    ctx.addIssue({ code: "custom", path: [field], message });
  }
}

export const contextSchema = z
  .strictObject({
    contextAttribute: name,
    contextCondition: conditionSchema,
    contextValueRange: conditionValueSchema,
  })
  .superRefine((c, ctx) => checkValue(c.contextCondition, c.contextValueRange, "contextValueRange", ctx));
export type IntentContext = z.infer<typeof contextSchema>;

const contexts = z.array(contextSchema).default([]);

export const expectationTargetSchema = z
  .strictObject({
    targetName: name,
    targetCondition: conditionSchema,
    targetValueRange: conditionValueSchema,
    targetContexts: contexts,
  })
  .superRefine((t, ctx) => checkValue(t.targetCondition, t.targetValueRange, "targetValueRange", ctx));
export type ExpectationTarget = z.infer<typeof expectationTargetSchema>;

export const expectationObjectSchema = z.strictObject({
  objectType: name,
  objectInstance: name,
  objectContexts: contexts,
});
export type ExpectationObject = z.infer<typeof expectationObjectSchema>;

export const intentExpectationSchema = z.strictObject({
  expectationId: name,
  expectationVerb: z.enum(EXPECTATION_VERBS),
  expectationObject: expectationObjectSchema,
  expectationTargets: z.array(expectationTargetSchema).min(1),
  expectationContexts: contexts,
});
export type IntentExpectation = z.infer<typeof intentExpectationSchema>;

/** Optional time window in which the intent applies (ISO 8601 date-times, start before end). */
export const validityPeriodSchema = z
  .strictObject({
    startTime: z.iso.datetime({ offset: true }),
    endTime: z.iso.datetime({ offset: true }),
  })
  .superRefine((v, ctx) => {
    if (Date.parse(v.startTime) >= Date.parse(v.endTime)) {
      ctx.addIssue({ code: "custom", path: ["endTime"], message: "endTime must be after startTime" });
    }
  });
export type ValidityPeriod = z.infer<typeof validityPeriodSchema>;

export const intentSchema = z
  .strictObject({
    id: name,
    userLabel: name,
    intentExpectations: z.array(intentExpectationSchema).min(1),
    intentContexts: contexts,
    contextSelectivity: z.enum(CONTEXT_SELECTIVITIES).optional(),
    // Optional in a document a person writes: the catalogue's defaults (INTENT_DEFAULTS).
    intentAdminState: z.enum(ADMIN_STATES).default(INTENT_DEFAULTS.intentAdminState),
    intentPriority: z.number().int().min(1).max(100).default(INTENT_DEFAULTS.intentPriority),
    /** Seconds between two evaluations of the intent. */
    observationPeriod: z.number().int().positive().default(INTENT_DEFAULTS.observationPeriod),
    validityPeriod: validityPeriodSchema.optional(),
  })
  .superRefine((intent, ctx) => {
    const seen = new Set<string>();
    intent.intentExpectations.forEach((e, i) => {
      if (seen.has(e.expectationId)) {
        ctx.addIssue({
          code: "custom",
          path: ["intentExpectations", i, "expectationId"],
          message: `expectationId ${JSON.stringify(e.expectationId)} is already the id of another expectation`,
        });
      }
      seen.add(e.expectationId);
    });
  });
export type Intent = z.infer<typeof intentSchema>;
/** What a caller may write: fields with defaults (empty context lists) may be left out. */
export type IntentInput = z.input<typeof intentSchema>;

export type FieldPath = readonly (string | number)[];

export interface IntentIssue {
  /** Segments of the offending field, e.g. `["intentExpectations", 0, "expectationTargets", 1, "targetCondition"]`. */
  readonly path: FieldPath;
  /** The same path written out: `intentExpectations[0].expectationTargets[1].targetCondition`. */
  readonly field: string;
  readonly message: string;
}

export type IntentValidation =
  | { readonly ok: true; readonly intent: Intent }
  | { readonly ok: false; readonly issues: readonly IntentIssue[] };

/** `["a", 0, "b"]` → `a[0].b`; the empty path is `(root)`. */
export function formatFieldPath(path: FieldPath): string {
  let out = "";
  for (const segment of path) {
    out += typeof segment === "number" ? `[${segment}]` : out === "" ? segment : `.${segment}`;
  }
  return out === "" ? "(root)" : out;
}

function toPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((s) => (typeof s === "number" ? s : String(s)));
}

const keysOf = (schema: { shape: object }, ...variants: string[]): readonly string[] => [
  ...Object.keys(schema.shape),
  ...variants,
];
const CONTEXT_KEYS = keysOf(contextSchema);

/** The fields an object at `path` may have (with the accepted variant spellings): for "did you mean …?". */
function knownKeysAt(path: FieldPath): readonly string[] {
  const last = [...path].reverse().find((s): s is string => typeof s === "string");
  if (last === undefined) return keysOf(intentSchema, "intentExpectation", "intentContext");
  if (last === "intentExpectations")
    return keysOf(intentExpectationSchema, "expectationTarget", "expectationContext");
  if (last === "expectationTargets")
    return keysOf(expectationTargetSchema, "targetAttribute", "targetContext");
  if (last === "expectationObject") return keysOf(expectationObjectSchema, "objectContext");
  if (last === "validityPeriod") return keysOf(validityPeriodSchema);
  return CONTEXT_KEYS;
}

/** zod issues as field-named issues; an unknown key is reported at the key itself. */
export function issuesFromZod(error: z.ZodError): IntentIssue[] {
  const issues: IntentIssue[] = [];
  for (const issue of error.issues) {
    const base = toPath(issue.path);
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const path = [...base, key];
        const message = unknownFieldMessage(key, base, knownKeysAt(base), { rootName: "the intent" });
        issues.push({ path, field: formatFieldPath(path), message });
      }
      continue;
    }
    issues.push({ path: base, field: formatFieldPath(base), message: issue.message });
  }
  return issues;
}

export interface ValidateIntentOptions {
  /** Where the intent was written: its objects are "a mapping" in YAML, "an object" in JSON. */
  document?: "yaml" | "json";
}

/** Validates untrusted data as an intent in normal form; every problem a sentence naming its field. */
export function validateIntent(data: unknown, options: ValidateIntentOptions = {}): IntentValidation {
  const objectWord = options.document === "yaml" ? "a mapping" : "an object";
  const parsed = intentSchema.safeParse(data, {
    error: (issue) => humanIssueMessage(issue, { objectWord, rootName: "the intent" }),
  });
  return parsed.success
    ? { ok: true, intent: parsed.data }
    : { ok: false, issues: issuesFromZod(parsed.error) };
}

// ---------------------------------------------------------------------------
// Reading stored bodies: the one reader placement, the evaluator and the
// console's tables share, so they agree on what an odd row means.

/** A target value as judged and reported: a number, a string, or a list of either. */
export type TargetValue = z.infer<typeof conditionValueSchema>;

export interface StoredTarget {
  expectationId: string;
  targetName: string;
  targetCondition: string;
  /** Numbers stored as strings ("2") are numbers here, as placement and the evaluator compare them. */
  targetValue: TargetValue;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function asNumber(v: unknown): unknown {
  return typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : v;
}

function normaliseValue(value: unknown): TargetValue {
  if (Array.isArray(value)) {
    const items = value.map(asNumber);
    return items.every((v) => typeof v === "number") ? items : items.map(String);
  }
  const single = asNumber(value);
  return typeof single === "number" ? single : String(single);
}

/**
 * The targets of a stored intent body, with their expectation (its position,
 * from 1, when the id is missing). Tolerant, and hand-written rather than a
 * zod parse: the evaluator reads 100,000 bodies a cycle, all written through
 * `intentSchema` already; this only has to survive an odd row (written before
 * the normal form, or by hand), which lists the targets it can read.
 */
export function readStoredTargets(body: unknown): StoredTarget[] {
  const targets: StoredTarget[] = [];
  if (!isRecord(body) || !Array.isArray(body.intentExpectations)) return targets;
  body.intentExpectations.forEach((expectation: unknown, index) => {
    if (!isRecord(expectation) || !Array.isArray(expectation.expectationTargets)) return;
    const expectationId =
      typeof expectation.expectationId === "string" ? expectation.expectationId : String(index + 1);
    for (const target of expectation.expectationTargets as unknown[]) {
      if (!isRecord(target)) continue;
      const { targetName, targetCondition, targetValueRange } = target;
      if (typeof targetName !== "string" || targetName === "" || typeof targetCondition !== "string")
        continue;
      targets.push({
        expectationId,
        targetName,
        targetCondition,
        targetValue: normaliseValue(targetValueRange),
      });
    }
  });
  return targets;
}
