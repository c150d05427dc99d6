/**
 * Intent-based migration (IBMC, docs/architecture.md): the persisted state
 * machine, target selection, the controller, the agents, the MO's completion,
 * the watchdog, and the console's reads and "Migrate now".
 */
export * from "./state-machine";
export * from "./target-selection";
export {
  advanceMigration,
  backupNameFor,
  compactTimestamp,
  endMigration,
  migrationMessageId,
  startMigration,
  type MigrationDeps,
  type MigrationRecord,
  type StartMigrationInput,
  type StartMigrationResult,
} from "./store";
export { selectionForInstance } from "./inputs";
export {
  CFDRL_ACTOR,
  CFDRL_TRIGGER_SUMMARY,
  HIDDEN_TRIGGER_SUMMARY,
  INTENT_TRIGGER_ACTIONS,
  triggerTargetSchema,
  type IntentTriggerAction,
  type MigrationTriggerView,
  type TriggerTarget,
} from "./trigger";
export { handleIntentNotify, CONTROLLER_ACTOR, type ControllerOutcome } from "./controller";
export { handleAgentMessage, judgeRestoredTree, type AgentDeps, type AgentOutcome } from "./agent";
export { handleMigrationCompletion, type CompletionOutcome } from "./completion";
export { removeInstanceCopy, settleCleanup, type CleanupOutcome } from "./cleanup";
export { runMigrationWatchdog, watchdogPeriodMs, type WatchdogResult } from "./watchdog";
export {
  consumeIntentNotifications,
  consumeMigrationCompletions,
  declareAgentQueues,
  ensureAgentQueue,
  IbmcAgents,
  type MigrationRuntimeDeps,
} from "./consumers";
export {
  HIDDEN_CLUSTER,
  instanceMigrations,
  listMigrations,
  migrationClusterNames,
  migrationListInput,
  migrationListQuery,
  migrationRow,
  migrationScope,
  migrationViewer,
  type MigrationListInput,
  type MigrationQueryDeps,
  type MigrationRow,
  type MigrationViewer,
} from "./queries";
export {
  migrationOptions,
  migrationRequestInput,
  requestMigration,
  type MigrationOptions,
  type MigrationRequestDeps,
  type MigrationRequestInput,
} from "./requests";
export {
  clusterDrainStatus,
  drainCluster,
  uncordonCluster,
  type ClusterDrainStatus,
  type DrainDeps,
  type DrainInstance,
  type DrainInstanceState,
} from "./drain";
