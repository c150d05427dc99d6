export { instanceApplySet, type InstanceApplySet } from "./apply-set";
export {
  checkDrift,
  checkInstanceDrift,
  DRIFT_CHECK_BATCH,
  recordDriftVerdict,
  type DriftCheckDeps,
  type DriftCheckResult,
} from "./check";
export {
  comparedManifests,
  computeDrift,
  describeDrift,
  driftSummarySchema,
  MAX_DRIFTED_OBJECTS,
  readDriftSummary,
  type DriftSummary,
  type DriftVerdict,
  type ObjectDrift,
} from "./compare";
export { instanceDrift, type InstanceDrift } from "./queries";
export { resyncInstance } from "./resync";
