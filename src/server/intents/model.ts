import { z } from "zod";
import { ADMIN_STATES } from "@/common/intent-status";
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

const name = z.string().trim().min(1, { error: "must not be empty" });

function checkValue(condition: string, value: unknown, field: string, ctx: z.RefinementCtx): void {
  const problem = validateConditionValue(condition, value);
  if (problem) ctx.addIssue({ code: "custom", path: [field], message: problem.message });
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
  expectationTargets: z.array(expectationTargetSchema).min(1, { error: "needs at least one target" }),
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
      ctx.addIssue({ code: "custom", path: ["endTime"], message: "must be after startTime" });
    }
  });
export type ValidityPeriod = z.infer<typeof validityPeriodSchema>;

export const intentSchema = z
  .strictObject({
    id: name,
    userLabel: name,
    intentExpectations: z.array(intentExpectationSchema).min(1, { error: "needs at least one expectation" }),
    intentContexts: contexts,
    contextSelectivity: z.enum(CONTEXT_SELECTIVITIES).optional(),
    intentAdminState: z.enum(ADMIN_STATES),
    intentPriority: z.number().int().min(1).max(100),
    /** Seconds between two evaluations of the intent. */
    observationPeriod: z.number().int().positive(),
    validityPeriod: validityPeriodSchema.optional(),
  })
  .superRefine((intent, ctx) => {
    const seen = new Set<string>();
    intent.intentExpectations.forEach((e, i) => {
      if (seen.has(e.expectationId)) {
        ctx.addIssue({
          code: "custom",
          path: ["intentExpectations", i, "expectationId"],
          message: `duplicate expectationId ${JSON.stringify(e.expectationId)}`,
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

/** zod issues as field-named issues; an unknown key is reported at the key itself. */
export function issuesFromZod(error: z.ZodError): IntentIssue[] {
  const issues: IntentIssue[] = [];
  for (const issue of error.issues) {
    const base = toPath(issue.path);
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const path = [...base, key];
        issues.push({ path, field: formatFieldPath(path), message: `unknown field ${JSON.stringify(key)}` });
      }
      continue;
    }
    issues.push({ path: base, field: formatFieldPath(base), message: issue.message });
  }
  return issues;
}

/** Validates untrusted data as an intent in normal form. */
export function validateIntent(data: unknown): IntentValidation {
  const parsed = intentSchema.safeParse(data);
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
