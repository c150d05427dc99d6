export * from "./instances";
export { handleInstanceRun, type OrchestrationDeps } from "./orchestration";
export { LIFECYCLE_EVENT_TYPES, recordLifecycleEvent, type LifecycleEventType } from "./lifecycle";
export {
  createInstanceInputSchema,
  instanceChangeInputSchema,
  intentTemplateSchema,
  MAX_HAND_REPLICAS,
  replicaChangeSchema,
  type CreateInstanceInput,
  type InstanceChangeInput,
  type ReplicaChange,
} from "./schemas";
export {
  changeInstance,
  instanceChangeOptions,
  manifestDiff,
  previewInstanceChange,
  retryInstance,
  type ChangeOptions,
  type ChangePreview,
  type ChangeResult,
  type ManifestDiff,
  type ManifestObjectDiff,
} from "./changes";
export * from "./list";
export { instanceOverview, type InstanceOverview } from "./detail";
export * from "./placement-input";
export { redriveStuckInstances, STUCK_AFTER_MS } from "./orchestration";
export { moveInstance } from "./transitions";
export {
  autoscaleInstance,
  spreadReplicas,
  type AutoscaleDeps,
  type AutoscaleOutcome,
  type AutoscaleRequest,
} from "./autoscaling";
export { openManifests, sealLegacyInstanceSecrets, type StoredManifest } from "./instance-secrets";
export { instanceReplicasFrom, totalDesiredReplicas, type InstanceReplicas } from "./replicas";
export {
  followInstancePodLogs,
  openLogStreams,
  POD_LOG_STREAMS_PER_USER,
  podLogStreamInputSchema,
  TooManyLogStreams,
  type InstancePodLogStream,
  type PodLogStreamInput,
  instanceEvents,
  instanceEventsInputSchema,
  instanceLiveObject,
  instancePodLogs,
  liveObjectInputSchema,
  podLogsInputSchema,
  redactLiveObject,
  type InstanceLiveObject,
  type InstancePodLogs,
} from "./inspection";
