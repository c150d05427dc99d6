/**
 * Is this chart good enough to become a workload? The checks run in the
 * order a chart author fixes them, and stop at the first failing stage:
 *
 * 1. Chart.yaml (apiVersion, name, SemVer version, application type).
 * 2. values.yaml parses to a mapping.
 * 3. values.schema.json, when present, parses and the values satisfy it.
 * 4. The templates render with the default values (Helm semantics, through a
 *    ChartRenderer) to at least one manifest.
 *
 * Every problem carries the file and line it was found at, when it has one.
 * Rendering is behind the ChartRenderer interface so the domain does not
 * depend on how templates are executed (src/server/charts does that).
 */
import type { Problem } from "@/server/errors";
import { formatPath, validateValues } from "./values-schema";
import { CHART_FILE, chartIdentity, parseChartMetadata } from "./chart-metadata";
import { parseYamlFile, type YamlFile } from "./yaml-file";

/** Chart files by path relative to the chart directory ("Chart.yaml", "templates/x.yaml"). */
export type ChartFiles = ReadonlyMap<string, Uint8Array>;

export interface RenderOptions {
  releaseName: string;
  namespace: string;
  /**
   * User-supplied values as YAML text ("" for none), coalesced over the
   * chart's values.yaml by the renderer (`helm -f`). Text, not a parsed
   * object, so the renderer applies YAML exactly as Helm would.
   */
  values: string;
  includeCrds: boolean;
  isUpgrade: boolean;
  noHooks: boolean;
}

/** What `helm template` uses when nothing is given. */
export const DEFAULT_RENDER_OPTIONS: RenderOptions = {
  releaseName: "release-name",
  namespace: "default",
  values: "",
  includeCrds: false,
  isUpgrade: false,
  noHooks: false,
};

/** One rendered Kubernetes document, with the template it came from (`# Source:`). */
export interface RenderedManifest {
  source: string;
  kind: string;
  name: string;
  content: string;
}

export type RenderResult = { ok: true; manifests: RenderedManifest[] } | { ok: false; errors: Problem[] };

/** Renders a chart's templates. Implementations never throw for a bad chart; they return its problems. */
export interface ChartRenderer {
  /** For logs and the validation record ("helm-ts", "unavailable"). */
  readonly name: string;
  render(files: ChartFiles, options: RenderOptions): Promise<RenderResult>;
}

export type ChartValidation =
  | { ok: true; chartName: string; chartVersion: string; manifests: RenderedManifest[] }
  | { ok: false; chartName: string; chartVersion: string; errors: Problem[] };

export const VALUES_FILE = "values.yaml";
export const VALUES_SCHEMA_FILE = "values.schema.json";

const decoder = new TextDecoder("utf-8");
const fileText = (files: ChartFiles, path: string) => {
  const data = files.get(path);
  return data === undefined ? undefined : decoder.decode(data);
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Line (1-based) of a JSON.parse error, from the position V8 reports. */
function jsonErrorLine(source: string, error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : "";
  const lineCol = /line (\d+) column \d+/.exec(message);
  if (lineCol?.[1]) return Number(lineCol[1]);
  const position = /position (\d+)/.exec(message);
  if (position?.[1]) return source.slice(0, Number(position[1])).split("\n").length;
  return undefined;
}

/**
 * Helm's coalescing of user values over chart defaults: maps merge
 * recursively, anything else replaces, and a `null` deletes the default key.
 */
export function coalesceValues(
  defaults: Record<string, unknown>,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    const base = out[key];
    if (value === null) delete out[key];
    else if (isRecord(value) && isRecord(base)) out[key] = coalesceValues(base, value);
    else out[key] = value;
  }
  return out;
}

export interface ChartValues {
  defaults: Record<string, unknown>;
  file: YamlFile | undefined;
  /** values.schema.json as written (its text is the compiled-schema cache key). */
  schema: string | undefined;
}

/** Stages 2–3 inputs: values.yaml and values.schema.json, parsed, or the first problem. */
export function readChartValues(
  files: ChartFiles,
): { ok: true; values: ChartValues } | { ok: false; problem: Problem } {
  let defaults: Record<string, unknown> = {};
  let file: YamlFile | undefined;
  const valuesSource = fileText(files, VALUES_FILE);
  if (valuesSource !== undefined) {
    const parsed = parseYamlFile(VALUES_FILE, valuesSource);
    if (!parsed.ok) return { ok: false, problem: parsed.problem };
    file = parsed.yaml;
    if (parsed.yaml.value === null || parsed.yaml.value === undefined) defaults = {};
    else if (isRecord(parsed.yaml.value)) defaults = parsed.yaml.value;
    else
      return {
        ok: false,
        problem: { file: VALUES_FILE, line: 1, message: "values.yaml must be a YAML mapping." },
      };
  }
  const schemaSource = fileText(files, VALUES_SCHEMA_FILE);
  if (schemaSource !== undefined) {
    let schema: unknown;
    try {
      // Parsed here too, for the line of a syntax error; validation compiles from the text.
      schema = JSON.parse(schemaSource) as unknown;
    } catch (error) {
      return {
        ok: false,
        problem: {
          file: VALUES_SCHEMA_FILE,
          line: jsonErrorLine(schemaSource, error),
          message: `values.schema.json is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
        },
      };
    }
    if (typeof schema !== "boolean" && !isRecord(schema)) {
      return {
        ok: false,
        problem: { file: VALUES_SCHEMA_FILE, line: 1, message: "values.schema.json must be a JSON object." },
      };
    }
  }
  return { ok: true, values: { defaults, file, schema: schemaSource } };
}

/**
 * Values checked against the chart's schema. `overrides` are the user's
 * values (an instance's override YAML); problems point into that YAML when
 * the bad value came from it, else into values.yaml.
 */
export function checkValuesSchema(
  values: ChartValues,
  overrides: Record<string, unknown> = {},
  overrideFile?: YamlFile,
): Problem[] {
  if (values.schema === undefined) return [];
  const merged = coalesceValues(values.defaults, overrides);
  const check = validateValues(values.schema, merged);
  if (check.ok) return [];
  if ("schemaProblem" in check) return [{ file: VALUES_SCHEMA_FILE, message: check.schemaProblem }];
  const { violation } = check;
  const where = formatPath(violation.path);
  const fromOverride = overrideFile?.lineOf(violation.path);
  const line = fromOverride ?? values.file?.lineOf(violation.path);
  const file =
    fromOverride !== undefined ? overrideFile?.file : values.file ? VALUES_FILE : VALUES_SCHEMA_FILE;
  return [
    {
      field: `values.${where}`,
      file,
      line,
      message: `values don't meet the chart's schema (values.schema.json): ${where} ${violation.message}`,
    },
  ];
}

/** The whole pipeline with default values: the gate between PENDING and ACCEPTED. */
export async function validateChart(files: ChartFiles, renderer: ChartRenderer): Promise<ChartValidation> {
  const chartSource = fileText(files, CHART_FILE);
  const identity = chartIdentity(chartSource);
  const fail = (errors: Problem[]): ChartValidation => ({
    ok: false,
    chartName: identity.name,
    chartVersion: identity.version,
    errors,
  });

  if (chartSource === undefined) {
    return fail([
      {
        file: CHART_FILE,
        message: "Chart.yaml is missing: a packaged chart holds <chart-name>/Chart.yaml at its root.",
      },
    ]);
  }
  const metadata = parseChartMetadata(chartSource);
  if (!metadata.ok) return fail(metadata.problems);

  const values = readChartValues(files);
  if (!values.ok) return fail([values.problem]);
  const schemaProblems = checkValuesSchema(values.values);
  if (schemaProblems.length > 0) return fail(schemaProblems);

  const rendered = await renderer.render(files, DEFAULT_RENDER_OPTIONS);
  if (!rendered.ok)
    return fail(rendered.errors.length > 0 ? rendered.errors : [{ message: "The chart failed to render." }]);
  if (rendered.manifests.length === 0) {
    return fail([
      {
        file: "templates/",
        message:
          "The chart renders no Kubernetes manifests with its default values, so there is nothing to deploy.",
      },
    ]);
  }
  return {
    ok: true,
    chartName: metadata.metadata.name,
    chartVersion: metadata.metadata.version,
    manifests: rendered.manifests,
  };
}

/** "templates/deployment.yaml:12: message" — the one-line form tables and toasts show. */
export function describeProblem(problem: Problem): string {
  const where = problem.file ? `${problem.file}${problem.line ? `:${problem.line}` : ""}` : undefined;
  // Helm's own messages already carry the place ("parse error at (c/templates/a.yaml:2): …").
  return where && !problem.message.includes(where) ? `${where}: ${problem.message}` : problem.message;
}
