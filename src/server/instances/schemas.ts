import { parseDocument } from "yaml";
import { z } from "zod";
import { INTENT_TYPES } from "@/common/intent-catalogue";
import { yamlNestingMessage, yamlNestingTooDeep } from "@/common/yaml-nesting";
import { formTargetSchema, refineTargets } from "@/server/intents";
import { workloadIdSchema } from "@/server/workloads";

/** Helm's limit for release names (they prefix resource names). */
export const RELEASE_NAME_MAX = 53;

export const intentTemplateSchema = z
  .object({
    intentType: z
      .string()
      .refine((type) => INTENT_TYPES.some((t) => t.type === type), { message: "Unknown intent type." }),
    start: z.coerce.date({ error: "Start must be a date and time." }).optional(),
    end: z.coerce.date({ error: "End must be a date and time." }).optional(),
    targets: z.array(formTargetSchema).min(1, "Add at least one target."),
  })
  .superRefine((template, ctx) => {
    if (template.start && template.end && template.end <= template.start) {
      ctx.addIssue({ code: "custom", path: ["end"], message: "End must be after Start." });
    }
    // The same catalogue rules as the intent form (known target, accepted condition, value, bounds).
    refineTargets(template.intentType, template.targets, ctx);
  });
export type IntentTemplateInput = z.input<typeof intentTemplateSchema>;

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
    valuesOverride: z
      .string()
      .max(1_000_000, "Values Override is larger than 1 MB.")
      .default("")
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
      }),
    includeCrds: z.boolean().default(false),
    isUpgrade: z.boolean().default(false),
    noHooks: z.boolean().default(false),
    intent: intentTemplateSchema.optional(),
  })
  .strict();
export type CreateInstanceInput = z.input<typeof createInstanceInputSchema>;
