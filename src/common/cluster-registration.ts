import { z } from "zod";
import { clusterServerUrlProblem } from "./cluster-url";
import { parseKubeconfig } from "./kubeconfig";

/**
 * The cluster registration form's rules. A module of its own, free
 * of Node and database imports, so the console's Register Cluster form checks
 * every field with the very rules the domain enforces (registration.ts).
 */

export const AVAILABILITY_OPTIONS = [90, 95, 99, 99.9] as const;
export const GREEN_ENERGY_OPTIONS = [0, 20, 40, 60, 80, 100] as const;
export const COST_CLASSES = ["low_cost", "high_performance"] as const;
/** Kubeconfigs are small; anything larger is not one. */
export const MAX_KUBECONFIG_BYTES = 256 * 1024;

const clusterNameSchema = z
  .string({ error: "Cluster Name is required." })
  .trim()
  .min(1, "Cluster Name is required.")
  .max(63, "Cluster Name has at most 63 characters.")
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    "Cluster Name must be lowercase letters, digits and '-', starting and ending with a letter or digit.",
  );

/** The highest grid carbon intensity accepted, gCO2e/kWh (coal is about 1,000). */
export const MAX_GRID_INTENSITY = 5_000;

/** The region of a cluster registered without one (it has pricing data from the start). */
export const DEFAULT_REGION = "default";

/** A region is free text people read ("eu-west", "Paris 2"); empty means the default region. */
export const MAX_REGION_LENGTH = 64;
export const regionSchema = z
  .string({ error: "Region must be text." })
  .trim()
  .max(MAX_REGION_LENGTH, `Region has at most ${MAX_REGION_LENGTH} characters.`)
  .regex(
    /^([A-Za-z0-9][A-Za-z0-9 ._()-]*)?$/,
    "Region may hold letters, digits, spaces and . _ - ( ), starting with a letter or digit.",
  )
  .optional()
  .transform((value) => (value ? value : undefined));

const wholeNumber = (label: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${label} must be a number.` })
    .int(`${label} must be a whole number.`)
    .min(min, `${label} must be at least ${min}.`)
    .max(max, `${label} must be at most ${max}.`);

export const registerClusterInputSchema = z
  .object({
    name: clusterNameSchema,
    managedApi: z
      .string({ error: "Managed API is required." })
      .trim()
      .min(1, "Managed API is required.")
      .superRefine((value, ctx) => {
        const problem = clusterServerUrlProblem(value);
        if (problem !== null)
          ctx.addIssue({
            code: "custom",
            message: `Managed API ${problem}: only scheme, host and port, such as https://api.cluster.example:6443 (or sim://<name>).`,
          });
      }),
    kubeconfig: z
      .string({ error: "Cluster Config File is required." })
      .min(1, "Cluster Config File is required.")
      .refine((text) => new TextEncoder().encode(text).byteLength <= MAX_KUBECONFIG_BYTES, {
        message: `Cluster Config File is larger than ${MAX_KUBECONFIG_BYTES / 1024} KiB.`,
      })
      .superRefine((text, ctx) => {
        try {
          parseKubeconfig(text);
        } catch (error) {
          ctx.addIssue({
            code: "custom",
            message: `Cluster Config File is not a usable kubeconfig: ${(error as Error).message}`,
          });
        }
      }),
    cpus: wholeNumber("CPUs", 1, 100_000),
    memoryGb: wholeNumber("Memory (GB)", 1, 10_000_000),
    storageGb: wholeNumber("Storage (GB)", 0, 100_000_000),
    vramGb: wholeNumber("V-RAM (GB)", 0, 1_000_000),
    availabilityPct: z.coerce
      .number({ error: "Availability % is required." })
      .refine((v) => (AVAILABILITY_OPTIONS as readonly number[]).includes(v), {
        message: `Availability % must be one of ${AVAILABILITY_OPTIONS.join(", ")}.`,
      }),
    greenEnergyPct: z.coerce
      .number({ error: "Green Energy % is required." })
      .refine((v) => (GREEN_ENERGY_OPTIONS as readonly number[]).includes(v), {
        message: `Green Energy % must be one of ${GREEN_ENERGY_OPTIONS.join(", ")}.`,
      }),
    cost: z.enum(COST_CLASSES, { error: "Cost must be low_cost or high_performance." }),
    cpuBaseRate: wholeNumber("CPU Base Rate", 0, 1_000_000_000),
    memoryBaseRate: wholeNumber("Memory Base Rate", 0, 1_000_000_000),
    region: regionSchema,
    /** gCO2e per kWh of the grid the cluster draws from; optional (billing then records no carbon). */
    gridIntensity: z
      .union([
        z.literal("").transform(() => undefined),
        wholeNumber("Grid intensity (gCO2e/kWh)", 0, MAX_GRID_INTENSITY),
      ])
      .optional(),
    /** Optional hourly profile: 24 values, UTC hour 0 first; overrides the flat figure hour by hour. */
    gridIntensityHourly: z
      .array(wholeNumber("Hourly grid intensity (gCO2e/kWh)", 0, MAX_GRID_INTENSITY))
      .length(24, "Hourly grid intensity needs 24 values (UTC hours 0-23).")
      .optional(),
  })
  .strict();
export type RegisterClusterInput = z.input<typeof registerClusterInputSchema>;
