/**
 * The kubernetes cluster driver: a real API server through
 * `@kubernetes/client-node` and the registered kubeconfig.
 */
export { KubernetesClusterDriver, type KubernetesClusterDriverOptions } from "./kubernetes-driver";
export { FIELD_MANAGER } from "./objects";
export { SOURCE_CLUSTER_ANNOTATION } from "./velero";
