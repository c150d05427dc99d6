/**
 * The pricing-tables part of the OpenAPI document (/api/v1/accounting/regions/,
 * /green-rewards/, /settings/), merged by openapi.ts. Amounts travel as
 * decimal strings of units (1 token = 10^8 units); the bodies are written
 * here in zod with that wire form (the handlers' schemas parse to bigint).
 */
import { z } from "zod";
import { MAX_REGION_LENGTH } from "@/common/cluster-registration";
import { GREEN_PRESET_CHOICES, MAX_GREEN_REWARD_ROWS } from "@/common/accounting-pricing";
import { componentSchemas, errorResponse, json, ref, type JsonObject } from "./openapi-parts";

const units = (description: string) =>
  z
    .string()
    .regex(/^\d{1,19}$/)
    .describe(`${description} Units (1 token = 10^8), a decimal string.`);
const nullableUnits = (description: string) => units(description).nullable();

const regionSchema = z.object({
  name: z.string(),
  hasData: z
    .boolean()
    .describe(
      'False for a region clusters name without pricing data: their instances are not billed ("Data for region must be set").',
    ),
  highDemand: z.boolean().nullable(),
  highDemandCost: nullableUnits(
    "Added to compute tokens before their final / 1000 when the region is in high demand.",
  ),
  regionalCpuCosts: nullableUnits(
    "Threshold compared with cpuUsage (millicores) · 10^3: at or below it no CPU charge.",
  ),
  regionalMemoryCosts: nullableUnits(
    "Threshold compared with memoryUsage (MiB) · 10^3: at or below it no memory charge.",
  ),
  regionalGpuCosts: nullableUnits("Added to every ML (GPU) charge."),
  clusters: z.number().int().describe("Registered (not deregistered) clusters in the region."),
  updatedAt: z.iso.datetime().nullable(),
  updatedBy: z.string().nullable(),
});

const regionDataBody = z.object({
  highDemand: z.boolean().default(false),
  highDemandCost: units("High-demand cost (default 0).").optional(),
  regionalCpuCosts: units("Regional CPU costs."),
  regionalMemoryCosts: units("Regional memory costs."),
  regionalGpuCosts: units("Regional GPU costs."),
});

const regionCreateBody = regionDataBody.extend({
  name: z
    .string()
    .min(1)
    .max(MAX_REGION_LENGTH)
    .describe("Letters, digits, spaces and . _ - ( ), starting with a letter or digit."),
});

const greenRow = z.object({
  percent: z.number().int().min(0).max(100).describe("A cluster's green-energy percentage."),
  reward: units("Taken off the compute tokens (before / 1000) when they are at least this much."),
});

const greenRewardsSchema = z.object({
  preset: z.enum(["default", "reference", "custom"]),
  rewards: z.array(greenRow).describe("The table in force; a percentage without a row rewards 0."),
  presets: z
    .object({ default: z.array(greenRow), reference: z.array(greenRow) })
    .describe(
      "default: 0.2 token per 20 %, 1 token at 100 %. reference: the reference platform's listing, 100 % → 0.1 token and no 60 % row.",
    ),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string().nullable(),
});

const greenRewardsBody = z
  .object({
    preset: z.enum(GREEN_PRESET_CHOICES).optional().describe("Replace the table with this preset's rows."),
    rewards: z
      .array(greenRow)
      .min(1)
      .max(MAX_GREEN_REWARD_ROWS)
      .optional()
      .describe("A custom table (each percent once); the preset becomes custom."),
  })
  .describe("Exactly one of preset or rewards.");

const settingsSchema = z.object({
  greenPreset: z.enum(["default", "reference", "custom"]),
  chargePerGb: units("Network charge per GB above the free 5 GB (default 10000000 = 0.1 token)."),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string().nullable(),
});

const settingsBody = z.object({ chargePerGb: units("Network charge per GB above the free 5 GB.") });

export function accountingPricingComponents(): JsonObject {
  return {
    ...componentSchemas([
      ["AccountingRegion", regionSchema],
      ["AccountingRegionList", z.object({ items: z.array(regionSchema) })],
      ["GreenRewards", greenRewardsSchema],
      ["AccountingSettings", settingsSchema],
    ]),
    ...componentSchemas(
      [
        ["AccountingRegionCreate", regionCreateBody],
        ["AccountingRegionData", regionDataBody],
        ["GreenRewardsUpdate", greenRewardsBody],
        ["AccountingSettingsUpdate", settingsBody],
      ],
      "input",
    ),
  };
}

export const accountingPricingTags = [
  {
    name: "accounting-pricing",
    description:
      "MOCA pricing tables: regions (costs, high demand), the green-energy reward table (default and reference " +
      "presets) and the network charge per GB. Every role reads them; NEMO admins change them, audited.",
  },
];

const tags = ["accounting-pricing"];
const READ_ERRORS = {
  "401": errorResponse("Not signed in, or the bearer token is missing, expired or not an access token."),
  "403": errorResponse("The caller has none of the console's roles."),
};
const WRITE_ERRORS = {
  ...READ_ERRORS,
  "400": errorResponse(
    "Invalid body; `field` names the first bad field (`regionalCpuCosts`, `rewards.1.percent`).",
  ),
  "403": errorResponse("Only NEMO admins (nemo-admin) may change pricing tables."),
};
const nameParameter = {
  name: "name",
  in: "path",
  required: true,
  schema: { type: "string", maxLength: MAX_REGION_LENGTH },
  description: "The region's name (URL-encoded).",
};
const body = (id: string) => ({ required: true, content: json(ref(id)) });

export function accountingPricingPaths(): JsonObject {
  return {
    "/api/v1/accounting/regions/": {
      get: {
        tags,
        operationId: "listAccountingRegions",
        summary: "List regions",
        description:
          "Every region with pricing data, and every region registered clusters name without data, by name.",
        responses: {
          "200": { description: "The regions.", content: json(ref("AccountingRegionList")) },
          ...READ_ERRORS,
        },
      },
      post: {
        tags,
        operationId: "createAccountingRegion",
        summary: "Create a region",
        requestBody: body("AccountingRegionCreate"),
        responses: {
          "201": { description: "Created.", content: json(ref("AccountingRegion")) },
          ...WRITE_ERRORS,
          "409": errorResponse("A region of that name already has data."),
        },
      },
    },
    "/api/v1/accounting/regions/{name}/": {
      parameters: [nameParameter],
      get: {
        tags,
        operationId: "getAccountingRegion",
        summary: "One region",
        responses: {
          "200": { description: "The region.", content: json(ref("AccountingRegion")) },
          ...READ_ERRORS,
          "404": errorResponse("No region of that name has data or clusters."),
        },
      },
      put: {
        tags,
        operationId: "updateAccountingRegion",
        summary: "Set a region's data",
        description: "Replaces the region's data; for a region clusters name without data, creates it.",
        requestBody: body("AccountingRegionData"),
        responses: {
          "200": { description: "The region.", content: json(ref("AccountingRegion")) },
          ...WRITE_ERRORS,
          "404": errorResponse("No region of that name has data or clusters."),
        },
      },
      delete: {
        tags,
        operationId: "deleteAccountingRegion",
        summary: "Delete a region",
        responses: {
          "200": {
            description: "Deleted.",
            content: json({
              type: "object",
              required: ["name", "deleted"],
              properties: { name: { type: "string" }, deleted: { type: "boolean", const: true } },
            }),
          },
          ...WRITE_ERRORS,
          "404": errorResponse("No region of that name has data."),
          "409": errorResponse('Registered clusters are in the region, or it is the "default" region.'),
        },
      },
    },
    "/api/v1/accounting/green-rewards/": {
      get: {
        tags,
        operationId: "getGreenRewards",
        summary: "The green-energy reward table",
        responses: {
          "200": { description: "The table.", content: json(ref("GreenRewards")) },
          ...READ_ERRORS,
        },
      },
      put: {
        tags,
        operationId: "updateGreenRewards",
        summary: "Set the green-energy reward table",
        description:
          "`{preset: default|reference}` installs that preset's table; `{rewards: [...]}` a custom one.",
        requestBody: body("GreenRewardsUpdate"),
        responses: {
          "200": { description: "The table.", content: json(ref("GreenRewards")) },
          ...WRITE_ERRORS,
        },
      },
    },
    "/api/v1/accounting/settings/": {
      get: {
        tags,
        operationId: "getAccountingSettings",
        summary: "Accounting settings",
        responses: {
          "200": { description: "The settings.", content: json(ref("AccountingSettings")) },
          ...READ_ERRORS,
        },
      },
      put: {
        tags,
        operationId: "updateAccountingSettings",
        summary: "Set the network charge per GB",
        requestBody: body("AccountingSettingsUpdate"),
        responses: {
          "200": { description: "The settings.", content: json(ref("AccountingSettings")) },
          ...WRITE_ERRORS,
        },
      },
    },
  };
}
