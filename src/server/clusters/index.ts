/**
 * Cluster drivers: the one way the rest of the product reaches a cluster.
 * `createClusterDriver(config)` picks the implementation; everything it
 * returns implements `ClusterDriver`.
 */
export * from "./driver";
export * from "./errors";
export { collectClusterUsage, fanOut, type FanOutResult } from "./fan-out";
export * from "./health";
export { parseKubeconfig, type ClusterCredential, type KubeconfigTarget } from "./kubeconfig";
export {
  desiredReplicas,
  GPU_RESOURCE,
  type KubernetesManifest,
  kubernetesManifestSchema,
  manifestListSchema,
  manifestTotals,
  type ManifestTotals,
  parseManifests,
  podResources,
  type PodResources,
  type ResourceAmounts,
  SCALABLE_KINDS,
  type ScalableKind,
  scalableKindSchema,
} from "./manifests";
export * from "./quantity";
export * from "./live-diff";
export {
  createClusterDriver,
  type ClusterDriverFactoryOptions,
  type ClusterTarget,
  type KubernetesDriverTuning,
  resolveClusterTarget,
  resolveDriverKind,
} from "./driver-factory";
export { KubernetesClusterDriver, type KubernetesClusterDriverOptions } from "./kubernetes";
export { createDemoContinuum, DEMO_CONTINUUM_SPECS, defaultSimulatedContinuum } from "./demo-continuum";
export {
  clearSimulatedFailure,
  clearSimulatedFailures,
  injectSimulatedFailure,
  listSimulatedFailures,
  sharedSimulatedContinuum,
  simulateOperatorDelete,
  simulateOperatorEdit,
} from "./shared-continuum";
export * from "./simulated";
export {
  driverConfigOf,
  driverFor,
  sharedDriverFactory,
  type DriverFactory,
  type StoredCluster,
} from "./connection";
export { clusterCandidates, requestsOf, storedRequests, type StoredRequests } from "./candidates";
export * from "./join";
export * from "./queries";
export * from "./registration";
export * from "./usage-collector";
export {
  CLUSTER_SCOPED_KINDS,
  describePolicyViolations,
  namespacePolicyViolations,
  type NamespacePolicy,
  type PolicyViolation,
} from "./namespace-policy";
export {
  GUARDRAIL_PREFIX,
  namespaceGuardrails,
  usageBoundsOf,
  type GuardrailInput,
} from "./namespace-guardrails";
