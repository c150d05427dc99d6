/**
 * The billing part of the OpenAPI document (/api/v1/accounting/budgets/,
 * /billing-runs/), merged by openapi.ts. Amounts travel as decimal strings of
 * units (1 token = 10^8 units).
 */
import { z } from "zod";
import { BUDGET_PERIODS, budgetCreateSchema, budgetUpdateSchema } from "@/server/accounting";
import {
  componentSchemas,
  errorResponse,
  json,
  ref,
  uuidPathParameter,
  type JsonObject,
} from "./openapi-parts";

const units = (description: string) =>
  z
    .string()
    .regex(/^\d{1,19}$/)
    .describe(`${description} Units (1 token = 10^8), a decimal string.`);

const budgetSchema = z.object({
  id: z.uuid(),
  ownerId: z.uuid(),
  workloadId: z.number().int().nullable().describe("The workload budgeted; null: all the owner's workloads."),
  workloadName: z.string().nullable(),
  period: z.enum(BUDGET_PERIODS).describe("The window: a UTC day or a UTC month."),
  amount: units("The budget per window."),
  spent: units("Charged so far in the current window."),
  percent: z.number().describe("spent / amount in percent; alerts at 80 and 100, once each per window."),
  windowStart: z.iso.datetime(),
  windowEnd: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

const billingRunSchema = z.object({
  id: z.uuid(),
  periodStart: z.iso.datetime(),
  periodEnd: z.iso.datetime(),
  status: z.enum(["RUNNING", "COMPLETED"]).describe("RUNNING until every instance was billed or failed."),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  instances: z.number().int().describe("DEPLOYED instances in the period."),
  itemsBilled: z.number().int(),
  itemsFailed: z.number().int(),
  amount: units("Charged in the period."),
  gco2e: z
    .number()
    .describe("Carbon of the billed usage, gCO2e (energy × grid intensity, green share excluded)."),
  worker: z.string().nullable(),
  failures: z
    .array(
      z.object({
        instanceId: z.uuid(),
        clusterId: z.uuid().nullable(),
        clusterName: z.string().nullable(),
        rule: z.enum(["compute", "network", "ml"]),
        reason: z.string().describe('Why nothing was billed, e.g. "Data for region must be set".'),
        createdAt: z.iso.datetime(),
        retryable: z.boolean().describe("The cluster could not be read: the item is retried."),
        attempts: z.number().int().describe("Attempts made, the run's first included."),
        retryOutcome: z
          .enum(["RETRYING", "GAVE_UP"])
          .nullable()
          .describe("RETRYING until billed or the last attempt; null when not retried."),
        nextAttemptAt: z.iso.datetime().nullable(),
      }),
    )
    .describe("The items not billed (at most 100 listed; itemsFailed counts all)."),
});

const idleCapacityRowSchema = z.object({
  clusterId: z.uuid(),
  clusterName: z.string(),
  region: z.string(),
  periods: z.number().int().describe("Billed periods of the window the cluster has a row for."),
  capacityCpuMillicores: z.number().int(),
  capacityMemoryMiB: z.number().int(),
  idleCpuMillicores: z
    .number()
    .int()
    .describe("Mean over the window: capacity less what billed instances used."),
  idleMemoryMiB: z.number().int(),
  idleCpuPct: z.number(),
  idleMemoryPct: z.number(),
  amount: units("What the idle capacity was worth at the cluster's rates over the window."),
  earned: units("What the cluster earned from its billed instances over the same periods."),
  instancesFailed: z
    .number()
    .int()
    .describe("Instances whose items failed: their usage is unknown, so idle."),
  lastPeriodStart: z.iso.datetime(),
});

export function accountingBillingComponents(): JsonObject {
  return {
    ...componentSchemas([
      ["Budget", budgetSchema],
      ["BudgetList", z.object({ items: z.array(budgetSchema) })],
      ["BillingRunList", z.object({ items: z.array(billingRunSchema) })],
      [
        "IdleCapacity",
        z.object({
          from: z.iso
            .datetime()
            .nullable()
            .describe("First period start of the window; null before any run."),
          to: z.iso.datetime().nullable(),
          items: z.array(idleCapacityRowSchema),
        }),
      ],
    ]),
    ...componentSchemas(
      [
        ["BudgetCreate", budgetCreateSchema],
        ["BudgetUpdate", budgetUpdateSchema],
      ],
      "input",
    ),
  };
}

export const accountingBillingTags = [
  {
    name: "accounting-billing",
    description:
      "MOCA billing: the periodic billing run's status and failures (admins), and service providers' budgets " +
      "(tokens per UTC day or month, per workload or all theirs) with alerts at 80 % and 100 %.",
  },
];

const tags = ["accounting-billing"];
const BUDGET_ERRORS = {
  "401": errorResponse("Not signed in, or the bearer token is missing, expired or not an access token."),
  "403": errorResponse("Budgets are for service providers (and admins)."),
};
const body = (id: string) => ({ required: true, content: json(ref(id)) });

export function accountingBillingPaths(): JsonObject {
  return {
    "/api/v1/accounting/budgets/": {
      get: {
        tags,
        operationId: "listBudgets",
        summary: "List my budgets",
        description: "The caller's budgets (an admin: everyone's) with the current window's spending.",
        responses: {
          "200": { description: "The budgets.", content: json(ref("BudgetList")) },
          ...BUDGET_ERRORS,
        },
      },
      post: {
        tags,
        operationId: "createBudget",
        summary: "Create a budget",
        requestBody: body("BudgetCreate"),
        responses: {
          "201": { description: "Created.", content: json(ref("Budget")) },
          "400": errorResponse("Invalid body; `field` names the first bad field (`amount`, `period`)."),
          ...BUDGET_ERRORS,
          "404": errorResponse("No such workload of the caller's."),
          "409": errorResponse("A budget for that scope and window exists already."),
        },
      },
    },
    "/api/v1/accounting/budgets/{id}/": {
      parameters: [uuidPathParameter("The budget's id.")],
      get: {
        tags,
        operationId: "getBudget",
        summary: "One budget",
        responses: {
          "200": { description: "The budget.", content: json(ref("Budget")) },
          ...BUDGET_ERRORS,
          "404": errorResponse("No such budget of the caller's."),
        },
      },
      put: {
        tags,
        operationId: "updateBudget",
        summary: "Change a budget",
        requestBody: body("BudgetUpdate"),
        responses: {
          "200": { description: "The budget.", content: json(ref("Budget")) },
          "400": errorResponse("Invalid body; `field` names the first bad field."),
          ...BUDGET_ERRORS,
          "404": errorResponse("No such budget of the caller's."),
          "409": errorResponse("A budget for that scope and window exists already."),
        },
      },
      delete: {
        tags,
        operationId: "deleteBudget",
        summary: "Delete a budget",
        responses: {
          "200": {
            description: "Deleted.",
            content: json({
              type: "object",
              required: ["id", "deleted"],
              properties: {
                id: { type: "string", format: "uuid" },
                deleted: { type: "boolean", const: true },
              },
            }),
          },
          ...BUDGET_ERRORS,
          "404": errorResponse("No such budget of the caller's."),
        },
      },
    },
    "/api/v1/accounting/billing-runs/": {
      get: {
        tags,
        operationId: "listBillingRuns",
        summary: "Last billing runs",
        description: "The last billing runs, newest first, with the items each could not bill (NEMO admins).",
        parameters: [
          {
            name: "limit",
            in: "query",
            required: false,
            schema: { type: "integer", minimum: 1, maximum: 100, default: 20 },
          },
        ],
        responses: {
          "200": { description: "The runs.", content: json(ref("BillingRunList")) },
          "400": errorResponse("Invalid `limit`."),
          "401": errorResponse(
            "Not signed in, or the bearer token is missing, expired or not an access token.",
          ),
          "403": errorResponse("Only NEMO admins see billing runs."),
        },
      },
    },
    "/api/v1/accounting/idle-capacity/": {
      get: {
        tags,
        operationId: "idleCapacity",
        summary: "Idle capacity by cluster",
        description:
          "Capacity paid by nobody: per cluster, its registered CPU and memory less what its billed instances " +
          "used, over the last billed periods, valued at the cluster's rates. An infrastructure provider sees " +
          "their own clusters, an admin all.",
        parameters: [
          {
            name: "periods",
            in: "query",
            required: false,
            schema: { type: "integer", minimum: 1, maximum: 10080, default: 60 },
          },
          {
            name: "until",
            in: "query",
            required: false,
            description: "The window ends with the last period started at or before this time.",
            schema: { type: "string", format: "date-time" },
          },
          {
            name: "clusterId",
            in: "query",
            required: false,
            schema: { type: "string", format: "uuid" },
          },
        ],
        responses: {
          "200": { description: "Idle capacity by cluster.", content: json(ref("IdleCapacity")) },
          "400": errorResponse("Invalid query; `field` names it (`periods`, `until`, `clusterId`)."),
          "401": errorResponse(
            "Not signed in, or the bearer token is missing, expired or not an access token.",
          ),
          "403": errorResponse("Idle capacity is shown to infrastructure providers and admins."),
          "404": errorResponse("No such cluster of the caller's."),
        },
      },
    },
  };
}
