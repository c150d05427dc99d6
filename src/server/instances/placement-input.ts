import { parseDocument } from "yaml";
import { kubernetesManifestSchema, type KubernetesManifest, type StoredRequests } from "@/server/clusters";
import { readStoredTargets } from "@/server/intents";
import type { IntentTarget, PlacementRequest } from "@/server/placement";

/**
 * What the placement engine needs, read from the database: every registered
 * cluster with what the instances on it already request, and an instance's
 * requests (from its rendered manifests) and intent targets.
 */
/** Hooks that `helm install` never runs: they belong to `helm test`. */
const TEST_HOOKS = new Set(["test", "test-success", "test-failure"]);

function isTestHook(manifest: KubernetesManifest): boolean {
  const hook = manifest.metadata.annotations?.["helm.sh/hook"];
  return typeof hook === "string" && hook.split(",").some((event) => TEST_HOOKS.has(event.trim()));
}

/** The objects to apply to a cluster: every rendered document except `helm test` hooks. */
export function parseRenderedManifests(manifests: ReadonlyArray<{ content: string }>): KubernetesManifest[] {
  const objects: KubernetesManifest[] = [];
  for (const manifest of manifests) {
    const value: unknown = parseDocument(manifest.content).toJS();
    const parsed = kubernetesManifestSchema.safeParse(value);
    if (parsed.success && !isTestHook(parsed.data)) objects.push(parsed.data);
  }
  return objects;
}

/** The targets of an instance's active intents, in the placement engine's terms. */
export function intentTargets(intents: ReadonlyArray<{ intentType: string; body: unknown }>): IntentTarget[] {
  return intents.flatMap((intent) =>
    readStoredTargets(intent.body).map((target) => ({
      intentType: intent.intentType,
      targetName: target.targetName,
      condition: target.targetCondition as IntentTarget["condition"],
      value: target.targetValue,
    })),
  );
}

/**
 * The instance's placement request. Its proposed cluster is a preference (the
 * PreferredCluster prioritizer) unless the user pinned the instance to it,
 * which makes it the hard ProposedCluster filter.
 */
export function placementRequestFor(
  instance: { id: string; proposedCluster: string | null; pinProposedCluster: boolean },
  requests: StoredRequests,
  targets: IntentTarget[],
): PlacementRequest {
  const proposal = instance.proposedCluster;
  return {
    instanceId: instance.id,
    requests,
    ...(proposal
      ? instance.pinProposedCluster
        ? { proposedCluster: proposal }
        : { preferredCluster: proposal }
      : {}),
    targets,
  };
}
