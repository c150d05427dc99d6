import {
  INSTANCE_ID_LABEL,
  namespaceGuardrails,
  requestsOf,
  usageBoundsOf,
  type ApplyOptions,
  type KubernetesManifest,
  type PodSecurityLevel,
} from "@/server/clusters";
import type { Db } from "@/server/db";
import { serverEnv } from "@/server/env";
import { intentTargets, openManifests, parseRenderedManifests } from "@/server/instances";

/**
 * What the orchestrator applies for an instance, rebuilt from what is stored:
 * its rendered manifests (Secrets opened: the cluster needs their values),
 * the namespace guardrails from its requests and active intents, and the
 * instance labels. Re-sync applies exactly this; the drift check compares the
 * chart's own objects (`manifests`), not the guardrails, whose quota follows
 * the intents' current targets.
 */
export interface InstanceApplySet {
  manifests: KubernetesManifest[];
  guardrails: KubernetesManifest[];
  options: ApplyOptions;
}

export async function instanceApplySet(
  db: Db,
  instance: Parameters<typeof openManifests>[0] & {
    id: string;
    releaseName: string;
    workloadId: number;
  },
  podSecurity?: PodSecurityLevel,
): Promise<InstanceApplySet> {
  const manifests = parseRenderedManifests(openManifests(instance));
  const [workload, intents] = await Promise.all([
    db.workload.findUniqueOrThrow({
      where: { id: instance.workloadId },
      select: { clusterScopedApprovedAt: true },
    }),
    db.intent.findMany({
      where: { instanceId: instance.id, adminState: "ACTIVATED", deletedAt: null },
      select: { intentType: true, body: true },
    }),
  ]);
  const guardrails = namespaceGuardrails({
    manifests,
    requests: requestsOf(manifests),
    usageBounds: usageBoundsOf(intentTargets(intents)),
  });
  return {
    manifests,
    guardrails,
    options: {
      labels: { [INSTANCE_ID_LABEL]: instance.id, "app.kubernetes.io/instance": instance.releaseName },
      allowClusterScoped: workload.clusterScopedApprovedAt !== null,
      podSecurity: podSecurity ?? serverEnv().NEMO_POD_SECURITY_LEVEL,
    },
  };
}
