import type { ClusterJoinReply, TransactionClient } from "@/server/bus";
import type { Logger } from "@/server/logger";
import { appendLedgerEntry } from "./ledger";

/**
 * MOCA registration reward: when the MO answers a join with ok, the cluster's
 * infrastructure provider is credited once per cluster. The amount is one
 * credit (1,000 millitokens) per registered CPU core — the accounting issue
 * refines the pricing models; the ledger mechanics are final.
 */
export const REGISTRATION_REWARD_MILLI_PER_CPU = 1_000n;
export const REGISTRATION_REWARD_KIND = "cluster-registration-reward";

export async function rewardClusterRegistration(
  tx: TransactionClient,
  reply: ClusterJoinReply,
  log: Logger,
): Promise<"rewarded" | "skipped"> {
  if (reply.status !== "ok") return "skipped";
  const cluster = await tx.cluster.findUnique({
    where: { name: reply.cluster_name },
    select: { id: true, name: true, cpus: true, ownerId: true },
  });
  if (!cluster) return "skipped";
  const reference = `cluster:${cluster.id}`;
  const already = await tx.ledgerEntry.findFirst({ where: { kind: REGISTRATION_REWARD_KIND, reference } });
  if (already) return "skipped";
  const entry = await appendLedgerEntry(tx, {
    accountId: cluster.ownerId,
    accountKind: "INFRASTRUCTURE_PROVIDER",
    amountMilli: BigInt(cluster.cpus) * REGISTRATION_REWARD_MILLI_PER_CPU,
    kind: REGISTRATION_REWARD_KIND,
    reference,
    detail: { cluster: cluster.name, cpus: cluster.cpus, operationId: reply.operation_id },
  });
  log.info(
    { cluster: cluster.name, amountMilli: entry.amountMilli.toString(), sequence: entry.sequence.toString() },
    "registration reward credited",
  );
  return "rewarded";
}
