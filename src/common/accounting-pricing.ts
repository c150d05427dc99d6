import { z } from "zod";
import { MAX_GREEN_REWARD_ROWS } from "./accounting-limits";
import { MAX_REGION_LENGTH } from "./cluster-registration";

/**
 * Inputs of the MOCA pricing tables (regions, green rewards, settings),
 * shared by the forms and the server. Amounts are whole numbers of units
 * (1 token = 10^8 units), carried as decimal strings; a JSON number is read
 * too. The columns are SQL bigint, so an amount stops at 2^63 − 1.
 */
export const MAX_STORED_UNITS = 2n ** 63n - 1n;

/** A whole number of units, as text ("100000000") or a JSON integer; parses to a bigint. */
export function unitsField(label: string) {
  return (
    z
      // A bigint too: a value this schema already parsed parses again to itself.
      .union([z.string(), z.number(), z.bigint()], {
        error: `${label} must be a whole number of units, like "100000000".`,
      })
      .transform((value) => String(value).trim())
      .pipe(
        z
          .string()
          .regex(/^\d{1,19}$/, `${label} must be a whole number of units (digits only), like "100000000".`),
      )
      .transform((value) => BigInt(value))
      .refine((value) => value <= MAX_STORED_UNITS, `${label} is at most ${MAX_STORED_UNITS} units.`)
  );
}

export const regionNameSchema = z
  .string({ error: "Region must be text." })
  .trim()
  .min(1, "Region is required.")
  .max(MAX_REGION_LENGTH, `Region has at most ${MAX_REGION_LENGTH} characters.`)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9 ._()-]*$/,
    "Region may hold letters, digits, spaces and . _ - ( ), starting with a letter or digit.",
  );

/** A region's pricing data (what PUT /accounting/regions/{name}/ takes). */
export const regionDataSchema = z
  .object({
    highDemand: z.boolean({ error: "High demand must be true or false." }).default(false),
    highDemandCost: unitsField("High-demand cost").default(0n),
    regionalCpuCosts: unitsField("Regional CPU costs"),
    regionalMemoryCosts: unitsField("Regional memory costs"),
    regionalGpuCosts: unitsField("Regional GPU costs"),
  })
  .strict();

/** A new region: its name and data (POST /accounting/regions/). */
export const regionCreateSchema = regionDataSchema.extend({ name: regionNameSchema }).strict();

export type RegionDataInput = z.input<typeof regionDataSchema>;
export type RegionCreateInput = z.input<typeof regionCreateSchema>;

export const GREEN_PRESET_CHOICES = ["default", "reference"] as const;
export { MAX_GREEN_REWARD_ROWS };

/** Either a preset (its table replaces the current one) or a custom table (the preset becomes "custom"). */
export const greenRewardsUpdateSchema = z
  .object({
    preset: z
      .enum(GREEN_PRESET_CHOICES, { error: `Preset must be one of ${GREEN_PRESET_CHOICES.join(", ")}.` })
      .optional(),
    rewards: z
      .array(
        z
          .object({
            percent: z
              .number({ error: "Percent must be a whole number from 0 to 100." })
              .int("Percent must be a whole number from 0 to 100.")
              .min(0, "Percent must be a whole number from 0 to 100.")
              .max(100, "Percent must be a whole number from 0 to 100."),
            reward: unitsField("Reward"),
          })
          .strict(),
      )
      .min(1, "A custom table needs at least one row.")
      .max(MAX_GREEN_REWARD_ROWS, `A table has at most ${MAX_GREEN_REWARD_ROWS} rows.`)
      .optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if ((value.preset === undefined) === (value.rewards === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["preset"],
        message: "Send either a preset (default or reference) or a rewards table, not both.",
      });
    }
    const seen = new Set<number>();
    value.rewards?.forEach((row, index) => {
      if (seen.has(row.percent)) {
        ctx.addIssue({
          code: "custom",
          path: ["rewards", index, "percent"],
          message: `Percent ${row.percent} appears twice.`,
        });
      }
      seen.add(row.percent);
    });
  });

export type GreenRewardsUpdateInput = z.input<typeof greenRewardsUpdateSchema>;

export const accountingSettingsUpdateSchema = z.object({ chargePerGb: unitsField("Charge per GB") }).strict();

export type AccountingSettingsUpdateInput = z.input<typeof accountingSettingsUpdateSchema>;
