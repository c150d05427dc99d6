import { randomBytes } from "node:crypto";
import { z } from "zod";
import { conditionSchema, type ConditionValue } from "@/server/placement";
import {
  INTENT_DEFAULTS,
  INTENT_TYPES,
  intentType,
  intentTypeLabel,
  type IntentTarget,
  type IntentType,
} from "@/common/intent-catalogue";
import { intentTypeNameSchema } from "@/common/intent-catalogue-schema";
import { formatFieldPath, intentSchema, type FieldPath, type Intent, type IntentContext } from "./model";

/**
 * Intents written in the console's form terms (intent type, start / end,
 * rows of target name / condition / value) and their checks against the
 * catalogue, shared by the intent form, the instance form's intent template
 * and "change a target value". Pure, no I/O: management.ts stores the result.
 */

/** The context naming the instance an intent is about (as the reference intent YAML names it). */
export const WORKLOAD_CONTEXT = "NEMO_WORKLOAD";

const RANGED: ReadonlySet<string> = new Set(["IS_WITHIN_RANGE", "IS_OUTSIDE_RANGE"]);

/** What a form row may carry: forms send text, scripts numbers, a range two of either. */
export const targetValueSchema = z.union(
  [
    z.number(),
    z.string().trim().min(1, "Target Value is required."),
    z.array(z.union([z.number(), z.string()])),
  ],
  { error: "Target Value must be a number, a text or a [low, high] pair." },
);
export type TargetValueInput = z.input<typeof targetValueSchema>;

export const formTargetSchema = z.object({
  targetName: z.string().trim().min(1, "Target Name is required."),
  targetCondition: conditionSchema,
  targetValue: targetValueSchema,
});
export type FormTarget = z.infer<typeof formTargetSchema>;

export type TargetField = "targetName" | "targetCondition" | "targetValue";

export interface TargetProblem {
  field: TargetField;
  message: string;
}

function asNumber(value: string | number): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  const trimmed = value.trim();
  return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : null;
}

function unitText(target: IntentTarget): string {
  return target.unit ? (target.unit === "%" ? "%" : ` ${target.unit}`) : "";
}

function boundsProblem(target: IntentTarget, value: number): string | null {
  const { min, max } = target;
  const unit = unitText(target);
  if (min !== undefined && max !== undefined && (value < min || value > max)) {
    return `${target.name} must be between ${min}${unit} and ${max}${unit}.`;
  }
  if (min !== undefined && value < min) return `${target.name} must be at least ${min}${unit}.`;
  if (max !== undefined && value > max) return `${target.name} must be at most ${max}${unit}.`;
  return null;
}

/**
 * The value a target is stored with: numbers for numeric targets (a
 * `[low, high]` pair for ranges), "true" / "false" for boolean ones — the
 * normal form's spelling (`targetValueRange: "true"`). Null when it does not fit.
 */
export function targetValueFor(
  target: IntentTarget,
  condition: string,
  value: TargetValueInput | ConditionValue,
): string | number | number[] | null {
  if (target.valueType === "boolean") {
    const text = typeof value === "string" ? value.trim().toLowerCase() : null;
    return text === "true" || text === "false" ? text : null;
  }
  if (RANGED.has(condition)) {
    if (!Array.isArray(value) || value.length !== 2) return null;
    const pair = (value as ReadonlyArray<string | number>).map(asNumber);
    return pair.every((v): v is number => v !== null) ? pair : null;
  }
  if (Array.isArray(value)) return null;
  return asNumber(value as string | number);
}

/**
 * Checks one target row against the intent type's catalogue entry: a known
 * target name, a condition it accepts, a value of its type (two numbers,
 * low ≤ high, for a range). `bounds` adds the unit's limits (percentages
 * 0–100): the form's rule; imported intents come from tools with their own
 * scales (the annex's CompEnergyEfficiency 40000), so imports skip it.
 */
export function checkTarget(
  type: IntentType,
  target: { targetName: string; targetCondition: string; targetValue: TargetValueInput | ConditionValue },
  options: { bounds: boolean },
): TargetProblem[] {
  const known = type.targets.find((t) => t.name === target.targetName);
  if (!known) {
    return [
      {
        field: "targetName",
        message: `${type.type} has no target "${target.targetName}" (known: ${type.targets.map((t) => t.name).join(", ")}).`,
      },
    ];
  }
  const problems: TargetProblem[] = [];
  if (!(known.conditions as readonly string[]).includes(target.targetCondition)) {
    problems.push({
      field: "targetCondition",
      message: `${known.name} accepts ${known.conditions.join(", ")}.`,
    });
  }
  const value = targetValueFor(known, target.targetCondition, target.targetValue);
  if (value === null) {
    const message =
      known.valueType === "boolean"
        ? `${known.name} takes "true" or "false".`
        : RANGED.has(target.targetCondition)
          ? "A range takes two numbers: [low, high]."
          : `${known.name} takes a number.`;
    problems.push({ field: "targetValue", message });
    return problems;
  }
  const numbers = typeof value === "number" ? [value] : Array.isArray(value) ? value : [];
  if (numbers.length === 2 && Number(numbers[0]) > Number(numbers[1])) {
    problems.push({
      field: "targetValue",
      message: "The range's low value must not be above its high value.",
    });
    return problems;
  }
  if (options.bounds) {
    const outside = numbers.map((n) => boundsProblem(known, Number(n))).find((p) => p !== null);
    if (outside) problems.push({ field: "targetValue", message: outside });
  }
  return problems;
}

/**
 * zod refinement for target rows (the intent form, the instance form's
 * template): every problem at `targets.<i>.<field>`, so tRPC's `fieldErrors`
 * put each message beside its input.
 */
export function refineTargets(
  typeName: string,
  targets: ReadonlyArray<FormTarget>,
  ctx: z.RefinementCtx,
  options: { bounds: boolean } = { bounds: true },
): void {
  const type = intentType(typeName);
  if (!type) return; // the intent type's own check names the field
  const seen = new Set<string>();
  targets.forEach((target, i) => {
    if (seen.has(target.targetName)) {
      ctx.addIssue({
        code: "custom",
        path: ["targets", i, "targetName"],
        message: `${target.targetName} is already a target of this intent.`,
      });
      return;
    }
    seen.add(target.targetName);
    for (const problem of checkTarget(type, target, options)) {
      ctx.addIssue({ code: "custom", path: ["targets", i, problem.field], message: problem.message });
    }
  });
}

// Empty date inputs arrive as "" from forms and mean "not given".
const instant = (label: string) => {
  const error = `${label} must be an ISO 8601 date-time.`;
  return z
    .union([z.date({ error }), z.iso.datetime({ offset: true, error }), z.literal("")], { error })
    .optional();
};

/** A form's start / end as a Date; "" and undefined are "not given". */
export function instantOf(value: Date | string | undefined): Date | undefined {
  if (value === undefined || value === "") return undefined;
  return value instanceof Date ? value : new Date(value);
}

export const formIntentSchema = z
  .object({
    source: z.literal("form"),
    instanceId: z
      .string({ error: "Workload Instance is required." })
      .trim()
      .min(1, "Workload Instance is required.")
      .max(64),
    intentType: intentTypeNameSchema,
    start: instant("Start"),
    end: instant("End"),
    targets: z.array(formTargetSchema).min(1, "Add at least one target."),
  })
  .superRefine((form, ctx) => {
    const start = instantOf(form.start);
    const end = instantOf(form.end);
    if (start && end && end <= start) {
      ctx.addIssue({ code: "custom", path: ["end"], message: "End must be after Start." });
    }
    refineTargets(form.intentType, form.targets, ctx);
  });
export type FormIntentInput = z.input<typeof formIntentSchema>;

/**
 * An imported document whose `id` is already one of the tenant's intents (its
 * row id, which a form intent's export carries, or the id it was imported
 * with): without `replace` a 409 on `id`; with it, that intent is updated in
 * place. An id no intent has is created either way.
 */
const replaceSchema = z
  .boolean({ error: "replace must be true or false." })
  .optional()
  .describe("Update the intent whose id the document carries instead of answering 409.");

export const yamlIntentSchema = z.object({
  source: z.literal("yaml"),
  yaml: z
    .string({ error: "The intent YAML is required." })
    .min(1, "The intent YAML is required.")
    .max(1_000_000, "The intent YAML is larger than 1 MB."),
  /** The instance, when the YAML does not name it (NEMO_WORKLOAD context); must agree when it does. */
  instanceId: z.string().trim().max(64).optional(),
  replace: replaceSchema,
});

/**
 * Deepest nesting of a normal-form intent sent as JSON. Real intents stay
 * under ten levels; 10,000 levels overflowed the stack when the intent was
 * serialised for the parser (a 500 instead of a field error).
 */
export const MAX_INTENT_JSON_DEPTH = 64;

/** Whether a JSON value nests objects/arrays deeper than `limit` (iterative: no stack to overflow). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    if (typeof node !== "object" || node === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}

export const jsonIntentSchema = z.object({
  source: z.literal("json"),
  intent: z
    .record(z.string(), z.unknown(), { error: "intent must be an intent object in normal form." })
    .refine((intent) => !nestedDeeperThan(intent, MAX_INTENT_JSON_DEPTH), {
      message: `intent is nested deeper than ${MAX_INTENT_JSON_DEPTH} levels.`,
    }),
  instanceId: z.string().trim().max(64).optional(),
  replace: replaceSchema,
});

/** createIntent's input: the console form, an uploaded YAML, or (REST) the normal form as JSON. */
export const createIntentInputSchema = z.discriminatedUnion(
  "source",
  [formIntentSchema, yamlIntentSchema, jsonIntentSchema],
  { error: 'source must be "form", "yaml" or "json".' },
);
export type CreateIntentInput = z.input<typeof createIntentInputSchema>;

/** "Change a target value": the target (by name, within an expectation when the name repeats) and its new value. */
export const changeTargetSchema = z.object({
  targetName: z.string().trim().min(1, "Target Name is required."),
  targetValue: targetValueSchema,
  targetCondition: conditionSchema.optional(),
  expectationId: z.string().trim().min(1).max(100).optional(),
});
export type ChangeTargetInput = z.input<typeof changeTargetSchema>;

// Any string: the domain answers "not found" for what is not an intent / instance id.
const anyId = z.string().max(64);

export const INTENT_ACTIONS = ["start", "suspend", "delete"] as const;
export type IntentActionName = (typeof INTENT_ACTIONS)[number];

export const intentActionInput = z.object({
  id: anyId,
  action: z.enum(INTENT_ACTIONS, { error: `action must be one of ${INTENT_ACTIONS.join(", ")}.` }),
});

export const changeTargetInput = changeTargetSchema.extend({ id: anyId });

export const intentTemplateInput = z.object({
  instanceId: anyId,
  intentType: z.string().max(100).optional(),
});

// ---------------------------------------------------------------------------
// Building the normal form

export interface FormIntent {
  intentType: string;
  start?: Date | string | undefined;
  end?: Date | string | undefined;
  targets: ReadonlyArray<{ targetName: string; targetCondition: string; targetValue: TargetValueInput }>;
}

export function workloadContext(instanceId: string): IntentContext {
  return {
    contextAttribute: WORKLOAD_CONTEXT,
    contextCondition: "IS_EQUAL_TO",
    contextValueRange: instanceId,
  };
}

/**
 * A checked form as the normal form: one DELIVER expectation on the
 * NEMO_WORKLOAD with the rows as targets, the NEMO_WORKLOAD context naming
 * the instance, the validity period when both ends are given (the columns
 * keep a lone start or end).
 */
export function intentFromForm(id: string, instanceId: string, form: FormIntent): Intent {
  const type = intentType(form.intentType);
  const start = instantOf(form.start);
  const end = instantOf(form.end);
  return intentSchema.parse({
    id,
    userLabel: form.intentType,
    intentExpectations: [
      {
        expectationId: "1",
        expectationVerb: "DELIVER",
        expectationObject: { objectType: WORKLOAD_CONTEXT, objectInstance: instanceId, objectContexts: [] },
        expectationTargets: form.targets.map((target) => {
          const known = type?.targets.find((t) => t.name === target.targetName);
          const value = known ? targetValueFor(known, target.targetCondition, target.targetValue) : null;
          return {
            targetName: target.targetName,
            targetCondition: target.targetCondition,
            targetValueRange: value ?? target.targetValue,
            targetContexts: [],
          };
        }),
        expectationContexts: [],
      },
    ],
    intentContexts: [workloadContext(instanceId)],
    contextSelectivity: "ALL_OF",
    ...INTENT_DEFAULTS,
    ...(start && end
      ? { validityPeriod: { startTime: start.toISOString(), endTime: end.toISOString() } }
      : {}),
  });
}

/** The instance an intent names: its NEMO_WORKLOAD context, else a NEMO_WORKLOAD expectation object. */
export function instanceNamedBy(intent: Intent): string | undefined {
  const context = intent.intentContexts.find(
    (c) => c.contextAttribute === WORKLOAD_CONTEXT && typeof c.contextValueRange === "string",
  );
  if (context) return String(context.contextValueRange);
  return intent.intentExpectations.find((e) => e.expectationObject.objectType === WORKLOAD_CONTEXT)
    ?.expectationObject.objectInstance;
}

/** A workload's name, version and Supported Intents: what decides which intent types its instances take. */
export interface IntentSupport {
  name: string;
  version: string;
  supportedIntents: readonly string[];
}

/**
 * Why an instance of `workload` may not take an intent of `typeName`, or null
 * when its workload declares that type. Network intents (cloud_continuum) are
 * no exception: they are a catalogue type the workload's form offers like any
 * other, so a workload whose instances need an L2 network declares it.
 */
export function unsupportedIntentMessage(workload: IntentSupport, typeName: string): string | null {
  if (workload.supportedIntents.includes(typeName)) return null;
  const supported =
    workload.supportedIntents.length > 0
      ? `it supports: ${workload.supportedIntents.join(", ")}.`
      : "it declares no supported intents.";
  return `${typeName} is not a supported intent of workload ${workload.name} ${workload.version}; ${supported}`;
}

export interface ImportProblem {
  path: FieldPath;
  field: string;
  message: string;
}

/** A text value as a sentence quotes it: a plain word bare, anything else in quotes. */
function quoted(value: unknown): string {
  return typeof value === "string" && /^[A-Za-z][\w.-]*$/.test(value) ? value : JSON.stringify(value);
}

/**
 * An imported intent (YAML or JSON) against the catalogue: a known intent
 * type (userLabel) and, for every target, a known name, an accepted
 * condition and a value of the right type (no unit bounds, see checkTarget).
 * Each problem a sentence naming the document's field, like the parser's.
 */
export function checkImportedIntent(intent: Intent): ImportProblem[] {
  const type = intentType(intent.userLabel);
  if (!type) {
    return [
      {
        path: ["userLabel"],
        field: "userLabel",
        message: `userLabel ${quoted(intent.userLabel)} is not an intent type; use one of ${INTENT_TYPES.map((t) => t.type).join(", ")}`,
      },
    ];
  }
  const problems: ImportProblem[] = [];
  intent.intentExpectations.forEach((expectation, i) => {
    expectation.expectationTargets.forEach((target, j) => {
      const found = checkTarget(type, { ...target, targetValue: target.targetValueRange }, { bounds: false });
      const known = type.targets.find((t) => t.name === target.targetName);
      for (const problem of found) {
        const key = problem.field === "targetValue" ? "targetValueRange" : problem.field;
        const path: FieldPath = ["intentExpectations", i, "expectationTargets", j, key];
        const message =
          problem.field === "targetName"
            ? `targetName ${quoted(target.targetName)} is not a target of ${intentTypeLabel(type.type)}; use ${type.targets.length > 2 ? "one of " : ""}${type.targets.map((t) => t.name).join(type.targets.length === 2 ? " or " : ", ")}`
            : problem.field === "targetCondition" && known
              ? `targetCondition ${target.targetCondition} does not apply to ${known.name}; use one of ${known.conditions.join(", ")}`
              : `targetValueRange: ${problem.message}`;
        problems.push({ path, field: formatFieldPath(path), message });
      }
    });
  });
  return problems;
}

// ---------------------------------------------------------------------------
// Templates

/** A sensible first value per target (with its default condition), so a template validates as it is. */
const SAMPLES: Readonly<Record<string, ConditionValue>> = {
  availability: 99,
  greenEnergy: 60,
  cpuUsage: 500,
  ramUsage: 512,
  diskUsage: 10,
  gpu: 1,
  vram: 8,
  CompEnergyEfficiency: 80,
  CompEnergyConsumption: 900,
  GreenEnergyConsumptionRate: 90,
  isolatedConnectivity: "true",
};

/** The target's catalogue default condition (as every form starts a row) with a sample value. */
function sampleTarget(target: IntentTarget): { condition: string; value: ConditionValue } {
  const sample = SAMPLES[target.name];
  const value = sample ?? (target.valueType === "boolean" ? "true" : (target.min ?? 0));
  return { condition: target.defaultCondition, value };
}

/**
 * A ready-to-edit intent for an instance: the type's first target with a
 * sample condition and value, the NEMO_WORKLOAD context. A network intent
 * (cloud_continuum) gets an L2 network expectation with the contexts L2S-M
 * reads (network name, pod CIDR) instead of a workload one.
 */
export function templateIntent(
  instance: { id: string; shortId: string; releaseName: string },
  typeName: string,
): Intent {
  const type = intentType(typeName);
  if (!type) throw new Error(`unknown intent type ${typeName}`);
  const target = type.targets[0];
  if (!target) throw new Error(`intent type ${typeName} has no targets`);
  const sample = sampleTarget(target);
  const network = type.type === "cloud_continuum";
  const networkName = `${instance.releaseName}-network`;
  return intentSchema.parse({
    id: `${type.type.toLowerCase()}-${instance.shortId}-${randomBytes(2).toString("hex")}`,
    userLabel: type.type,
    intentExpectations: [
      {
        expectationId: "1",
        expectationVerb: "DELIVER",
        expectationObject: network
          ? {
              objectType: "K8S_L2_NETWORK",
              objectInstance: networkName,
              objectContexts: [
                { contextAttribute: "name", contextCondition: "IS_EQUAL_TO", contextValueRange: networkName },
                {
                  contextAttribute: "pod_cidr",
                  contextCondition: "IS_EQUAL_TO",
                  contextValueRange: "10.1.0.0/16",
                },
              ],
            }
          : { objectType: WORKLOAD_CONTEXT, objectInstance: instance.id, objectContexts: [] },
        expectationTargets: [
          {
            targetName: target.name,
            targetCondition: sample.condition,
            targetValueRange: sample.value,
            targetContexts: [],
          },
        ],
        expectationContexts: [],
      },
    ],
    intentContexts: [workloadContext(instance.id)],
    contextSelectivity: "ALL_OF",
    ...INTENT_DEFAULTS,
  });
}
