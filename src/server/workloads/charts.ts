/**
 * A workload's Helm chart: upload (extract safely, validate, store, and
 * accept the workload when the chart renders) and render (the manifest
 * viewer and POST /workload/{id}/template/).
 */
import { createHash } from "node:crypto";
import type { Db } from "@/server/db";
import { DomainError, parseOrThrow, type Problem } from "@/server/errors";
import { logger } from "@/server/logger";
import { assertMayManageWorkloads, workloadNotFound, workloadScope } from "./access";
import {
  CHART_ARCHIVE_LIMITS,
  ChartArchiveError,
  extractChartArchive,
  MiB,
  SIZE_REJECTIONS,
} from "@/server/charts";
import {
  checkValuesSchema,
  describeProblem,
  readChartValues,
  validateChart,
  type ChartRenderer,
} from "./chart-validation";
import { chartRenderer } from "./renderer";
import {
  templateOptionsSchema,
  type ChartUploadResult,
  type RenderOutcome,
  type TemplateOptionsInput,
} from "./schemas";
import {
  immutable,
  parseWorkloadId,
  problemsFromJson,
  toWorkloadView,
  workloadViewSelect,
  type WorkloadDeps,
} from "./workloads";
import { parseYamlFile } from "./yaml-file";
import { registerWorkloadAccount } from "@/server/accounting";

const log = logger.child({ module: "workloads" });

export interface ChartDeps extends WorkloadDeps {
  /** Defaults to the application's renderer; tests pass their own. */
  renderer?: ChartRenderer;
}

/** The multipart field the archive travels in; errors about the archive name it. */
export const ARCHIVE_FIELD = "file";

function archiveError(error: ChartArchiveError): DomainError {
  const problem: Problem = { message: error.message, ...(error.entry ? { file: error.entry } : {}) };
  return new DomainError(
    SIZE_REJECTIONS.has(error.reason) ? "too_large" : "unprocessable",
    error.message,
    ARCHIVE_FIELD,
    [problem],
  );
}

async function loadScoped(db: Db, deps: WorkloadDeps, workloadId: number) {
  const row = await db.workload.findFirst({
    where: { id: workloadId, ...workloadScope(deps.user) },
    select: { id: true, status: true },
  });
  if (!row) throw workloadNotFound(workloadId);
  return row;
}

/**
 * Uploads a packaged chart (.tgz) for a PENDING workload. The archive, its
 * sha256, size and validation result are stored together with the status
 * change in one transaction: a valid chart makes the workload ACCEPTED; an
 * invalid one is kept (so its problems can be shown) and the workload stays
 * PENDING, answered as "unprocessable" with the first problem.
 */
export async function uploadChart(
  deps: ChartDeps,
  id: unknown,
  archive: Uint8Array,
): Promise<ChartUploadResult> {
  const { db, user } = deps;
  assertMayManageWorkloads(user);
  const workloadId = parseWorkloadId(id);
  const current = await loadScoped(db, deps, workloadId);
  if (current.status === "ACCEPTED") throw immutable(workloadId, "given a new chart");
  if (archive.byteLength === 0)
    throw new DomainError("invalid", "Choose a packaged Helm chart (.tgz) to upload.", ARCHIVE_FIELD);
  if (archive.byteLength > CHART_ARCHIVE_LIMITS.maxCompressedBytes) {
    throw new DomainError(
      "too_large",
      `The chart archive is larger than ${CHART_ARCHIVE_LIMITS.maxCompressedBytes / MiB} MiB.`,
      ARCHIVE_FIELD,
    );
  }

  let files: Map<string, Uint8Array>;
  try {
    files = (await extractChartArchive(archive)).files;
  } catch (error) {
    if (error instanceof ChartArchiveError) throw archiveError(error);
    throw error;
  }

  const renderer = deps.renderer ?? chartRenderer();
  const started = Date.now();
  const validation = await validateChart(files, renderer);
  const errors = validation.ok ? [] : validation.errors;
  log.info(
    {
      workloadId,
      renderer: renderer.name,
      valid: validation.ok,
      ms: Date.now() - started,
      problems: errors.length,
    },
    "chart validated",
  );

  const sha256 = createHash("sha256").update(archive).digest("hex");
  const chartData = {
    chartName: validation.chartName,
    chartVersion: validation.chartVersion,
    archive: new Uint8Array(archive),
    archiveSha256: sha256,
    sizeBytes: archive.byteLength,
    valid: validation.ok,
    validationErrors: errors.map((p) => ({ ...p })),
    uploadedAt: new Date(),
  };
  await db.$transaction(async (tx) => {
    // The status condition makes a concurrent upload or acceptance lose cleanly instead of overwriting.
    const updated = await tx.workload.updateMany({
      where: { id: workloadId, status: "PENDING" },
      data: { status: validation.ok ? "ACCEPTED" : "PENDING" },
    });
    if (updated.count === 0) throw immutable(workloadId, "given a new chart");
    await tx.chart.upsert({
      where: { workloadId },
      create: { workloadId, ...chartData },
      update: chartData,
    });
    // Accepted and registered on the ledger (5 tokens, +5 with ingress) together, or neither.
    if (validation.ok) await registerWorkloadAccount(tx, workloadId);
  });

  const row = await db.workload.findUniqueOrThrow({ where: { id: workloadId }, select: workloadViewSelect });
  const workload = toWorkloadView(row);
  if (!validation.ok || !workload.chart) {
    const first = errors[0] ?? { message: "The chart is not valid." };
    throw new DomainError(
      "unprocessable",
      `The chart is not valid: ${describeProblem(first)}`,
      ARCHIVE_FIELD,
      errors,
    );
  }
  return { workload, chart: workload.chart };
}

/**
 * Renders a workload's stored chart (`helm template`) with the given options.
 * A chart that failed validation answers with its stored problems; bad
 * options (override YAML, schema) answer as problems too, so the caller can
 * show them beside the input.
 */
export async function renderWorkload(
  deps: ChartDeps,
  id: unknown,
  input: TemplateOptionsInput = {},
): Promise<RenderOutcome> {
  const { db, user } = deps;
  assertMayManageWorkloads(user);
  const workloadId = parseWorkloadId(id);
  const options = parseOrThrow(templateOptionsSchema, input);
  const row = await db.workload.findFirst({
    where: { id: workloadId, ...workloadScope(user) },
    select: { id: true, chart: true },
  });
  if (!row) throw workloadNotFound(workloadId);
  const chart = row.chart;
  if (!chart)
    throw new DomainError("conflict", `Workload ${workloadId} has no Helm chart yet: upload one first.`);
  const head = { workloadId, chartName: chart.chartName, chartVersion: chart.chartVersion };
  const failed = (errors: Problem[]): RenderOutcome => ({ ok: false, ...head, errors });
  if (!chart.valid) {
    const stored = problemsFromJson(chart.validationErrors);
    return failed(stored.length > 0 ? stored : [{ message: "The chart failed validation." }]);
  }

  let overrides: Record<string, unknown> = {};
  const overrideFile = options.values.trim() ? parseYamlFile("values override", options.values) : undefined;
  if (overrideFile) {
    if (!overrideFile.ok) return failed([{ ...overrideFile.problem, field: "values" }]);
    const value = overrideFile.yaml.value;
    if (value !== null && value !== undefined) {
      if (typeof value !== "object" || Array.isArray(value)) {
        return failed([
          {
            field: "values",
            file: "values override",
            line: 1,
            message: "The values override must be a YAML mapping.",
          },
        ]);
      }
      overrides = value as Record<string, unknown>;
    }
  }

  let files: Map<string, Uint8Array>;
  try {
    files = (await extractChartArchive(chart.archive)).files;
  } catch (error) {
    if (error instanceof ChartArchiveError) return failed([{ message: error.message }]);
    throw error;
  }
  const values = readChartValues(files);
  if (!values.ok) return failed([values.problem]);
  const schemaProblems = checkValuesSchema(
    values.values,
    overrides,
    overrideFile?.ok ? overrideFile.yaml : undefined,
  );
  if (schemaProblems.length > 0) return failed(schemaProblems);

  const renderer = deps.renderer ?? chartRenderer();
  const rendered = await renderer.render(files, {
    releaseName: options.releaseName,
    namespace: options.namespace,
    values: options.values,
    includeCrds: options.includeCrds,
    isUpgrade: options.isUpgrade,
    noHooks: options.noHooks,
  });
  if (!rendered.ok)
    return failed(
      rendered.errors.length > 0 ? rendered.errors : [{ message: "The chart failed to render." }],
    );
  return { ok: true, ...head, manifests: rendered.manifests };
}
