/** Workload registration: the registry, chart upload and validation, rendering. */
export {
  archiveWorkload,
  unarchiveWorkload,
  createWorkload,
  deleteWorkload,
  getWorkload,
  listWorkloads,
  patchWorkload,
  replaceWorkload,
  type WorkloadDeps,
} from "./workloads";
export { renderWorkload, uploadChart, ARCHIVE_FIELD, type ChartDeps } from "./charts";
export { CHART_ARCHIVE_LIMITS } from "@/server/charts";
export {
  describeProblem,
  type ChartRenderer,
  type RenderedManifest,
  type RenderOptions,
} from "./chart-validation";
export * from "./schemas";
export { setClusterScopedApproval } from "./cluster-scoped-approval";
