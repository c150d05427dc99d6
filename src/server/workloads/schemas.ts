/**
 * The workload API's shapes, in zod: inputs are validated with them (tRPC,
 * REST and workers alike), and the OpenAPI document is generated from them.
 * Messages are written for the person filling the form.
 */
import { z } from "zod";
import { intentTypeNameSchema } from "@/common/intent-catalogue-schema";
import {
  listInputSchema,
  queryPageFields,
  queryShowInactiveField,
  showInactiveField,
} from "@/common/pagination";
import { isSemVer, SEMVER_HINT } from "./semver";

export const WORKLOAD_STATUSES = ["PENDING", "ACCEPTED"] as const;
export const workloadStatusSchema = z.enum(WORKLOAD_STATUSES);
export type WorkloadStatus = z.infer<typeof workloadStatusSchema>;

const WORKLOAD_ID_HINT = "The workload id must be a positive integer.";

/**
 * A workload id: a number, or its decimal digits (path segments and form
 * fields are text). Not `z.coerce.number()`: it took `true` for workload 1,
 * `[7]` for 7 and "0x10" for 16, so a wrong-typed input addressed a real row.
 */
export const workloadIdSchema = z
  .union(
    [
      z.number(),
      z
        .string()
        .regex(/^\s*\d+\s*$/)
        .transform(Number),
    ],
    { error: WORKLOAD_ID_HINT },
  )
  .pipe(
    z
      .number()
      .int(WORKLOAD_ID_HINT)
      .positive(WORKLOAD_ID_HINT)
      .max(2_147_483_647, "The workload id is too large."),
  );

export const workloadNameSchema = z
  .string({ error: "Enter a workload name." })
  .trim()
  .min(1, "Enter a workload name.")
  .max(63, "Use at most 63 characters.")
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/,
    "Use letters, digits, '.', '_' or '-', starting and ending with a letter or digit.",
  );

export const workloadVersionSchema = z
  .string({ error: "Enter a version." })
  .trim()
  .min(1, "Enter a version.")
  .max(64, "Use at most 64 characters.")
  .refine(isSemVer, SEMVER_HINT);

export const supportedIntentsSchema = z
  .array(intentTypeNameSchema, { error: "Supported intents must be a list of intent types." })
  .max(20)
  .refine((types) => new Set(types).size === types.length, "Each intent type may be listed once.");

const workloadFields = {
  name: workloadNameSchema.describe("Workload name; unique together with the version."),
  version: workloadVersionSchema.describe(
    "SemVer version; a change to an accepted workload is a new version.",
  ),
  supportedIntents: supportedIntentsSchema
    .default([])
    .describe("Intent types instances of this workload can be given."),
  ingressSupport: z
    .boolean({ error: "Ingress support must be true or false." })
    .default(false)
    .describe("Whether the chart exposes an ingress."),
};

/** POST /workload/ and PUT /workload/{id}/ (PUT replaces every field, with the same defaults). */
export const workloadCreateSchema = z.strictObject(workloadFields);
export type WorkloadCreateInput = z.input<typeof workloadCreateSchema>;

/** PATCH /workload/{id}/: any subset of the fields, at least one. */
export const workloadPatchSchema = z
  .strictObject({
    name: workloadFields.name.optional(),
    version: workloadFields.version.optional(),
    supportedIntents: supportedIntentsSchema
      .optional()
      .describe("Intent types instances of this workload can be given."),
    ingressSupport: z.boolean({ error: "Ingress support must be true or false." }).optional(),
  })
  .refine((patch) => Object.values(patch).some((v) => v !== undefined), "Change at least one field.");
export type WorkloadPatchInput = z.input<typeof workloadPatchSchema>;

/** `showInactive`: archived workloads are left out unless asked for. */
export const workloadListInput = listInputSchema(
  ["id", "name", "version", "status", "ingressSupport", "user"],
  "id",
  "desc",
).extend({ showInactive: showInactiveField });
export type WorkloadListInput = z.input<typeof workloadListInput>;
export type WorkloadSort = z.output<typeof workloadListInput>["sort"];

/** The same list query from a URL: numbers arrive as text. */
export const workloadListQuery = z.object({
  ...queryPageFields,
  sort: workloadListInput.shape.sort,
  direction: workloadListInput.shape.direction,
  search: workloadListInput.shape.search,
  showInactive: queryShowInactiveField,
});

export const problemSchema = z.object({
  field: z
    .string()
    .optional()
    .describe('The key or value path the problem is about ("version", "values.image.tag").'),
  file: z.string().optional().describe('Chart file the problem is in ("templates/deployment.yaml").'),
  line: z.number().int().optional().describe("1-based line in that file."),
  message: z.string(),
});

export const chartSummarySchema = z.object({
  chartName: z.string(),
  chartVersion: z.string(),
  sha256: z.string().describe("sha256 of the uploaded .tgz, hex."),
  sizeBytes: z.number().int(),
  valid: z.boolean().describe("Whether the chart passed validation (and the workload became ACCEPTED)."),
  errors: z.array(problemSchema).describe("Validation problems, first one first; empty when valid."),
  uploadedAt: z.iso.datetime(),
});
export type ChartSummary = z.infer<typeof chartSummarySchema>;

export const workloadSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  version: z.string(),
  status: workloadStatusSchema.describe(
    "PENDING until a valid chart is uploaded, then ACCEPTED (immutable).",
  ),
  supportedIntents: z.array(z.string()),
  ingressSupport: z.boolean(),
  clusterScopedApprovedAt: z.iso
    .datetime()
    .nullable()
    .describe(
      "When an admin approved cluster-scoped resources (RBAC, CRDs, webhooks) for this workload; null: its charts may only create objects in their instance's namespace.",
    ),
  archivedAt: z.iso
    .datetime()
    .nullable()
    .describe(
      "When its owner (or an admin) archived it: listed as inactive, no new instances; null while active.",
    ),
  ownerId: z.uuid(),
  user: z.string().describe("Username of the service provider who registered it."),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  chart: chartSummarySchema.nullable(),
});
export type WorkloadView = z.infer<typeof workloadSchema>;

export const workloadRowSchema = workloadSchema
  .pick({
    id: true,
    name: true,
    version: true,
    status: true,
    ingressSupport: true,
    user: true,
    supportedIntents: true,
    archivedAt: true,
  })
  .extend({
    hasChart: z.boolean(),
    clusterScopedApproved: z
      .boolean()
      .describe("An admin approved cluster-scoped resources (RBAC, CRDs, webhooks) for this workload."),
  });
export type WorkloadRow = z.infer<typeof workloadRowSchema>;

export const workloadPageSchema = z.object({
  items: z.array(workloadRowSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

export const manifestSchema = z.object({
  source: z.string().describe("Template the document came from (the `# Source:` line)."),
  kind: z.string(),
  name: z.string(),
  content: z.string().describe("The YAML document."),
});

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RELEASE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** POST /workload/{id}/template/: the options `helm template` takes that instances use. */
export const templateOptionsSchema = z.strictObject({
  releaseName: z
    .string()
    .trim()
    .max(53, "A release name has at most 53 characters.")
    .regex(RELEASE, "Use lower-case letters, digits, '-' and '.' (a DNS name).")
    .default("release-name"),
  namespace: z
    .string()
    .trim()
    .max(63, "A namespace has at most 63 characters.")
    .regex(NAMESPACE, "Use lower-case letters, digits and '-' (a DNS label).")
    .default("default"),
  values: z
    .string()
    .max(1_000_000, "The values override is larger than 1 MB.")
    .default("")
    .describe("Values override as YAML, merged over the chart's values.yaml (helm -f)."),
  includeCrds: z.boolean().default(false).describe("Include the chart's crds/ (helm --include-crds)."),
  isUpgrade: z.boolean().default(false).describe("Render as an upgrade (.Release.IsUpgrade)."),
  noHooks: z.boolean().default(false).describe("Leave out hook resources (helm --no-hooks)."),
});
export type TemplateOptionsInput = z.input<typeof templateOptionsSchema>;

export const renderOutcomeSchema = z.discriminatedUnion("ok", [
  z.object({
    ok: z.literal(true),
    workloadId: z.number().int(),
    chartName: z.string(),
    chartVersion: z.string(),
    manifests: z.array(manifestSchema),
  }),
  z.object({
    ok: z.literal(false),
    workloadId: z.number().int(),
    chartName: z.string(),
    chartVersion: z.string(),
    errors: z.array(problemSchema),
  }),
]);
export type RenderOutcome = z.infer<typeof renderOutcomeSchema>;

export const chartUploadResultSchema = z.object({
  workload: workloadSchema,
  chart: chartSummarySchema,
});
export type ChartUploadResult = z.infer<typeof chartUploadResultSchema>;

/** An admin's decision on a workload's cluster-scoped resources. */
export const clusterScopedApprovalSchema = z.strictObject({
  approved: z.boolean({ error: "approved must be true or false." }),
});
export type ClusterScopedApprovalInput = z.infer<typeof clusterScopedApprovalSchema>;
