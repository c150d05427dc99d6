import type { TransactionClient } from "@/server/bus";
import type { Db } from "@/server/db";
import { clusterCandidates, storedRequests } from "@/server/clusters";
import { intentTargets } from "@/server/instances";
import { selectMigrationTarget, type TargetSelection, type TargetSelectionInput } from "./target-selection";

/**
 * The target selection for one instance from what is stored: every
 * registered cluster (with what is placed on it), the instance's recorded
 * requests and the targets of its intents that are in force (activated, not
 * deleted, inside their validity window). Shared by the controller, the
 * "Migrate now" dialog and its request.
 */
export async function selectionForInstance(
  client: Db | TransactionClient,
  instance: { id: string; placement: unknown; currentCluster: string | null },
  now: Date = new Date(),
): Promise<TargetSelection> {
  return selectMigrationTarget(await selectionInputs(client, instance, now));
}

/** What `selectionForInstance` judges, for callers that also need the clusters (the controller's trigger). */
export async function selectionInputs(
  client: Db | TransactionClient,
  instance: { id: string; placement: unknown; currentCluster: string | null },
  now: Date = new Date(),
): Promise<TargetSelectionInput> {
  // One after the other: inside an interactive transaction the queries share one connection anyway.
  const intents = await client.intent.findMany({
    where: {
      instanceId: instance.id,
      adminState: "ACTIVATED",
      deletedAt: null,
      AND: [
        { OR: [{ validFrom: null }, { validFrom: { lte: now } }] },
        { OR: [{ validUntil: null }, { validUntil: { gt: now } }] },
      ],
    },
    select: { intentType: true, body: true },
  });
  const clusters = await clusterCandidates(client);
  return {
    currentCluster: instance.currentCluster,
    targets: intentTargets(intents),
    clusters,
    requests: storedRequests(instance.placement),
  };
}
