import { parseDocument } from "yaml";
import { z } from "zod";
import { defaultConditionOf, INTENT_TYPES } from "@/common/intent-catalogue";
import { yamlNestingMessage, yamlNestingTooDeep } from "@/common/yaml-nesting";
import { formTargetSchema, refineTargets, type FormTarget } from "@/server/intents";
import { scalableKindSchema } from "@/server/clusters";
import { workloadIdSchema } from "@/server/workloads";

/** Helm's limit for release names (they prefix resource names). */
export const RELEASE_NAME_MAX = 53;

/** A template's target may leave the condition out: it gets the catalogue's default for that target. */
const templateTargetSchema = formTargetSchema.extend({
  targetCondition: formTargetSchema.shape.targetCondition
    .optional()
    .describe(
      "Default: the catalogue's condition for the target (availability, green energy, GPUs: IS_EQUAL_TO_OR_GREATER_THAN; usage bounds: IS_EQUAL_TO_OR_LESS_THAN).",
    ),
});
type TemplateTarget = z.output<typeof templateTargetSchema>;

/** Each target with its condition, the catalogue default where none was given (null: no default exists). */
function withDefaultConditions(
  intentType: string,
  targets: readonly TemplateTarget[],
): (FormTarget | null)[] {
  return targets.map((target) => {
    const condition = target.targetCondition ?? defaultConditionOf(intentType, target.targetName);
    return condition === undefined ? null : { ...target, targetCondition: condition };
  });
}

export const intentTemplateSchema = z
  .object({
    intentType: z
      .string()
      .refine((type) => INTENT_TYPES.some((t) => t.type === type), { message: "Unknown intent type." }),
    start: z.coerce.date({ error: "Start must be a date and time." }).optional(),
    end: z.coerce.date({ error: "End must be a date and time." }).optional(),
    targets: z.array(templateTargetSchema).min(1, "Add at least one target."),
  })
  .superRefine((template, ctx) => {
    if (template.start && template.end && template.end <= template.start) {
      ctx.addIssue({ code: "custom", path: ["end"], message: "End must be after Start." });
    }
    const targets = withDefaultConditions(template.intentType, template.targets);
    targets.forEach((target, i) => {
      if (target === null) {
        ctx.addIssue({
          code: "custom",
          path: ["targets", i, "targetCondition"],
          message: `Target Condition is required: ${template.targets[i]?.targetName ?? "this target"} has no default condition for ${template.intentType}.`,
        });
      }
    });
    // The same catalogue rules as the intent form (known target, accepted condition, value, bounds).
    const complete = targets.filter((target): target is FormTarget => target !== null);
    if (complete.length === targets.length) refineTargets(template.intentType, complete, ctx);
  })
  .transform(({ targets, ...template }) => ({
    ...template,
    // Every target has its condition here: the refinement above refused any without one.
    targets: withDefaultConditions(template.intentType, targets).filter(
      (target): target is FormTarget => target !== null,
    ),
  }));
export type IntentTemplateInput = z.input<typeof intentTemplateSchema>;

/** A values override: YAML mapping, at most 1 MB, not too deeply nested, no alias bombs. */
const valuesOverrideSchema = z
  .string()
  .max(1_000_000, "Values Override is larger than 1 MB.")
  .superRefine((text, ctx) => {
    if (!text.trim()) return;
    const tooDeep = yamlNestingTooDeep(text);
    if (tooDeep !== null) {
      ctx.addIssue({
        code: "custom",
        message: `Values Override is ${yamlNestingMessage()} (line ${tooDeep}).`,
      });
      return;
    }
    const doc = parseDocument(text);
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      ctx.addIssue({
        code: "custom",
        message: `Values Override is not valid YAML${line ? ` (line ${line})` : ""}: ${error.message.split("\n")[0]}`,
      });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS();
    } catch {
      // The yaml library refuses an alias bomb only here, by throwing: a field error, not a 500.
      ctx.addIssue({ code: "custom", message: "Values Override expands too many YAML aliases." });
      return;
    }
    if (value !== null && (typeof value !== "object" || Array.isArray(value))) {
      ctx.addIssue({ code: "custom", message: "Values Override must be a YAML mapping." });
    }
  });

export const createInstanceInputSchema = z
  .object({
    // Not z.coerce: `true` or `[7]` named workloads 1 and 7 (a wrong-typed input created an instance).
    workloadId: z
      .union([z.undefined(), z.null(), workloadIdSchema], { error: "Workload is required." })
      .refine((id): id is number => typeof id === "number", "Workload is required."),
    releaseName: z
      .string({ error: "Release Name is required." })
      .trim()
      .min(1, "Release Name is required.")
      .max(RELEASE_NAME_MAX, `Release Name has at most ${RELEASE_NAME_MAX} characters.`)
      .regex(
        /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
        "Release Name must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit.",
      ),
    clusterName: z
      .string()
      .trim()
      .optional()
      .transform((value) => (value ? value : undefined)),
    pinProposedCluster: z
      .boolean({ error: "Pin to this cluster must be true or false." })
      .default(false)
      .describe(
        "With clusterName: only that cluster may take the instance (it fails when that cluster cannot). " +
          "Without it the proposed cluster is a preference: chosen when it meets the intents and has room, otherwise the best other cluster.",
      ),
    valuesOverride: valuesOverrideSchema.default(""),
    includeCrds: z.boolean().default(false),
    isUpgrade: z.boolean().default(false),
    noHooks: z.boolean().default(false),
    intent: intentTemplateSchema.optional(),
  })
  .strict();
export type CreateInstanceInput = z.input<typeof createInstanceInputSchema>;

/** Most replicas a hand scale may ask for one Deployment / StatefulSet. */
export const MAX_HAND_REPLICAS = 100;

export const replicaChangeSchema = z
  .object({
    kind: scalableKindSchema.describe("Deployment or StatefulSet."),
    name: z
      .string({ error: "Name of the Deployment or StatefulSet is required." })
      .trim()
      .min(1, "Name of the Deployment or StatefulSet is required.")
      .max(253, "Name has at most 253 characters."),
    replicas: z
      .number({ error: `Replicas must be a whole number from 0 to ${MAX_HAND_REPLICAS}.` })
      .int(`Replicas must be a whole number from 0 to ${MAX_HAND_REPLICAS}.`)
      .min(0, `Replicas must be a whole number from 0 to ${MAX_HAND_REPLICAS}.`)
      .max(MAX_HAND_REPLICAS, `Replicas must be a whole number from 0 to ${MAX_HAND_REPLICAS}.`),
  })
  .strict();
export type ReplicaChange = z.output<typeof replicaChangeSchema>;

/**
 * A change of a running instance: a new values override and / or another
 * version of its workload (an upgrade: re-rendered with Is Upgrade), and / or
 * replicas of its Deployments and StatefulSets set by hand.
 */
export const instanceChangeInputSchema = z
  .object({
    valuesOverride: valuesOverrideSchema
      .optional()
      .describe("The new values override as YAML (replaces the current one; empty for none). Absent: kept."),
    workloadId: workloadIdSchema
      .optional()
      .describe(
        "Another ACCEPTED version of the instance's workload (same name) to upgrade to. Absent: kept.",
      ),
    replicas: z
      .array(replicaChangeSchema)
      .max(50, "At most 50 replica changes at once.")
      .optional()
      .describe("Replicas to set by hand, per Deployment / StatefulSet of the instance."),
  })
  .strict()
  .refine(
    (change) =>
      change.valuesOverride !== undefined ||
      change.workloadId !== undefined ||
      (change.replicas !== undefined && change.replicas.length > 0),
    {
      message: "Nothing to change: give a values override, a workload version or replicas.",
      path: ["valuesOverride"],
    },
  );
export type InstanceChangeInput = z.input<typeof instanceChangeInputSchema>;
