/**
 * Chart.yaml as Helm checks it (chart.Metadata.Validate): apiVersion v2 (or
 * the legacy v1), a name that is a plain file name, a strict SemVer version
 * and, for v2, type application or library. A library chart renders nothing
 * by itself, so it cannot be registered as a workload.
 */
import type { Problem } from "@/server/errors";
import { isSemVer, SEMVER_HINT } from "./semver";
import { parseYamlFile } from "./yaml-file";

export const CHART_FILE = "Chart.yaml";

export interface ChartMetadata {
  apiVersion: "v1" | "v2";
  name: string;
  version: string;
  type: "application" | "library";
  appVersion?: string;
  description?: string;
}

export type ChartMetadataResult = { ok: true; metadata: ChartMetadata } | { ok: false; problems: Problem[] };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Helm stringifies scalar fields (a YAML `version: 1.0` is the float 1, which is no SemVer). */
function scalar(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

export function parseChartMetadata(source: string): ChartMetadataResult {
  const parsed = parseYamlFile(CHART_FILE, source);
  if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
  const { yaml } = parsed;
  const doc = yaml.value;
  if (!isRecord(doc)) {
    return {
      ok: false,
      problems: [{ file: CHART_FILE, line: 1, message: "Chart.yaml must be a YAML mapping." }],
    };
  }
  const problems: Problem[] = [];
  const problem = (field: string, message: string) =>
    problems.push({ file: CHART_FILE, field, line: yaml.lineOf([field]) ?? 1, message });

  const apiVersion = scalar(doc.apiVersion);
  if (!apiVersion) problem("apiVersion", "Chart.yaml: apiVersion is required (v2 for Helm 3 charts).");
  else if (apiVersion !== "v1" && apiVersion !== "v2") {
    problem(
      "apiVersion",
      `Chart.yaml: apiVersion "${apiVersion}" is not supported; use v2 (or the legacy v1).`,
    );
  }

  const name = scalar(doc.name)?.trim();
  if (!name) problem("name", "Chart.yaml: name is required.");
  else if (/[/\\]/.test(name) || name === "." || name === "..") {
    problem(
      "name",
      `Chart.yaml: name "${name}" is invalid; it must be a plain name without path separators.`,
    );
  }

  const version = scalar(doc.version)?.trim();
  if (!version) problem("version", "Chart.yaml: version is required.");
  else if (!isSemVer(version)) {
    problem("version", `Chart.yaml: version "${version}" is not a valid SemVer version. ${SEMVER_HINT}`);
  }

  const rawType = doc.type === undefined || doc.type === null ? "application" : scalar(doc.type);
  let type: ChartMetadata["type"] = "application";
  if (rawType === "library") {
    type = "library";
    problem(
      "type",
      "Chart.yaml: this is a library chart; a library chart renders no resources, so it cannot be a workload. Upload an application chart.",
    );
  } else if (rawType !== "application") {
    problem("type", `Chart.yaml: type "${String(rawType)}" is invalid; use application or library.`);
  }
  if (problems.length > 0 || !name || !version) return { ok: false, problems };
  const appVersion = scalar(doc.appVersion);
  const description = scalar(doc.description);
  return {
    ok: true,
    metadata: {
      apiVersion: apiVersion === "v1" ? "v1" : "v2",
      name,
      version,
      type,
      ...(appVersion !== undefined ? { appVersion } : {}),
      ...(description !== undefined ? { description } : {}),
    },
  };
}

/** Best-effort name and version for the record of a chart that failed validation. */
export function chartIdentity(source: string | undefined): { name: string; version: string } {
  if (source === undefined) return { name: "", version: "" };
  const parsed = parseYamlFile(CHART_FILE, source);
  if (!parsed.ok || !isRecord(parsed.yaml.value)) return { name: "", version: "" };
  const doc = parsed.yaml.value;
  return { name: scalar(doc.name)?.trim() ?? "", version: scalar(doc.version)?.trim() ?? "" };
}
