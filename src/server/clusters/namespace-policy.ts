import type { KubernetesManifest } from "./manifests";

/**
 * What a tenant's chart may put on a cluster. An instance owns one namespace;
 * anything outside it — cluster-scoped kinds (RBAC for the whole cluster,
 * CRDs, admission webhooks, API services, volumes with host paths, other
 * namespaces) — would let one tenant act on the cluster and on the others.
 * Such objects are refused unless an admin approved cluster-scoped resources
 * for the workload (an audited decision, `workloads.cluster_scoped_approved_*`).
 *
 * The check runs on the rendered manifests before any driver is called, with
 * the kinds every Kubernetes serves cluster-scoped; the Kubernetes driver
 * also refuses any kind its discovery reports as cluster-scoped (a CRD's own
 * kinds), so an unknown kind cannot slip through.
 */

/** Built-in kinds that are cluster-scoped in every Kubernetes version the console supports. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "APIService",
  "CertificateSigningRequest",
  "ClusterIssuer",
  "ClusterRole",
  "ClusterRoleBinding",
  "ComponentStatus",
  "CSIDriver",
  "CSINode",
  "CustomResourceDefinition",
  "FlowSchema",
  "IngressClass",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PodSecurityPolicy",
  "PriorityClass",
  "PriorityLevelConfiguration",
  "RuntimeClass",
  "StorageClass",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "VolumeAttachment",
]);

export interface NamespacePolicy {
  /** An admin approved cluster-scoped resources for this workload. */
  allowClusterScoped: boolean;
}

export interface PolicyViolation {
  kind: string;
  name: string;
  reason: string;
}

/** The objects of a rendered chart that the policy refuses, with why; empty when all may be applied. */
export function namespacePolicyViolations(
  manifests: readonly KubernetesManifest[],
  namespace: string,
  policy: NamespacePolicy,
): PolicyViolation[] {
  if (policy.allowClusterScoped) return [];
  const violations: PolicyViolation[] = [];
  for (const manifest of manifests) {
    const { kind } = manifest;
    const name = manifest.metadata.name;
    if (CLUSTER_SCOPED_KINDS.has(kind)) {
      violations.push({ kind, name, reason: `${kind} is cluster-scoped` });
      continue;
    }
    // Every namespaced object lands in the instance's namespace; one asking for another is refused
    // rather than silently moved, since its chart expects to reach something there.
    const wanted = manifest.metadata.namespace;
    if (typeof wanted === "string" && wanted !== "" && wanted !== namespace)
      violations.push({ kind, name, reason: `it asks for namespace ${wanted}, not the instance's own` });
  }
  return violations;
}

/** One sentence for a status reason: the first few refused objects and how to get them allowed. */
export function describePolicyViolations(violations: readonly PolicyViolation[]): string {
  const shown = violations
    .slice(0, 3)
    .map((v) => `${v.kind}/${v.name} (${v.reason})`)
    .join(", ");
  const more = violations.length > 3 ? ` and ${violations.length - 3} more` : "";
  return (
    `The chart declares objects outside the instance's namespace: ${shown}${more}. ` +
    "An admin must approve cluster-scoped resources for this workload first."
  );
}
