export * from "./instances";
export { handleInstanceRun, type OrchestrationDeps } from "./orchestration";
export { LIFECYCLE_EVENT_TYPES, recordLifecycleEvent, type LifecycleEventType } from "./lifecycle";
export { createInstanceInputSchema, intentTemplateSchema, type CreateInstanceInput } from "./schemas";
export * from "./list";
export { instanceOverview, type InstanceOverview } from "./detail";
export * from "./placement-input";
export { redriveStuckInstances, STUCK_AFTER_MS } from "./orchestration";
export { moveInstance } from "./transitions";
