export * from "./model";
export * from "./rng";
export * from "./replay-buffer";
export * from "./dqn";
export * from "./store";
export * from "./migration-model";
export * from "./settings";
export * from "./queries";
export * from "./rollback";
export * from "./loop";
export * from "./scaling-messages";
export { scalingTargetsFrom, scalingTargetsOf, type ScalingTargets } from "./targets";
export { LOOP_MODEL_AUTHOR, type LiveAgent, type LiveAgentOptions } from "./live-agent";
export { observationFrom, observeInstance, type ObservedInstance } from "./observe";
export { decideMigration, resolveMigrationDecisions, type MigrationLoopDeps } from "./migration-loop";
export {
  CsvTraceError,
  generateTrace,
  type LoadTrace,
  parseTraceCsv,
  TRACE_KINDS,
  type TraceKind,
  traceToCsv,
} from "./traces";
export { ScalingEnvironment, type StepResult } from "./environment";
export { HPA_DEFAULTS, HpaController, hpaDesiredReplicas, randomPolicy } from "./policies";
export {
  DEFAULT_LAB_CONFIG,
  formatLabTable,
  formatTargets,
  type LabConfig,
  type LabResult,
  runLab,
} from "./lab";
