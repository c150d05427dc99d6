/**
 * Placement of workload instances on clusters, in the manner of Open Cluster
 * Management: filter plugins, weighted prioritizers, an explanation of every
 * decision. Pure: no database, no I/O.
 */
export * from "./conditions";
export * from "./schema";
export {
  CLUSTER_PROPERTIES,
  gpuCount,
  prepareRequest,
  propertyOfTarget,
  type ClusterProperty,
  type FilterName,
  type IgnoredTarget,
  type PreparedRequest,
} from "./request";
export {
  FILTERS,
  firstRejection,
  acceleratorFilter,
  availabilityFilter,
  baseRateFilter,
  costClassFilter,
  greenEnergyFilter,
  type FilterPlugin,
  type PluginStatus,
  type StatusCode,
} from "./filters";
export { MAX_SCORE, MIN_SCORE, PRIORITIZERS, type Prioritizer, type ScoreContext } from "./prioritizers";
export {
  DEFAULT_CONFIG,
  compareNames,
  decidePlacement,
  type ClusterScore,
  type FilteredCluster,
  type PlacementDecision,
  type ProposalVerdict,
} from "./decide";
export { bestOffered, describeUnmetTarget, unmetTargets } from "./unmet-targets";
export {
  explainPlacement,
  prioritizerDescription,
  type ExplainedPlacementDecision,
  type PrioritizerExplanation,
} from "./explain";
export {
  createPlacementEngine,
  PlacementConflictError,
  PlacementError,
  type PlacementEngine,
} from "./engine";
