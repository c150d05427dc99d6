import type { ClusterJoinReply, TransactionClient } from "@/server/bus";
import { DomainError } from "@/server/errors";
import type { Logger } from "@/server/logger";
import {
  appendLedgerTransaction,
  clusterAccount,
  ensureLedgerAccount,
  PLATFORM_ACCOUNT,
  workloadAccount,
  type AppendOptions,
  type EnsureAccountInput,
} from "./ledger";
import { TOKEN } from "./units";

/**
 * Registration: a cluster the MO accepted and a workload that became ACCEPTED
 * get a ledger account and a one-off credit from the platform. Registering
 * twice is refused ("already registered") and credits nothing; the reference
 * `registration:<kind>:<id>` is the unique key that makes it so.
 */

/** A cluster earns one token per registered CPU core (the millitoken reward of before, in units). */
export const CLUSTER_REGISTRATION_PER_CPU = TOKEN;
/** A workload earns 5 tokens, and 5 more when it supports ingress. */
export const WORKLOAD_REGISTRATION_REWARD = 5n * TOKEN;
export const WORKLOAD_INGRESS_REGISTRATION_REWARD = 5n * TOKEN;

export const clusterRegistrationReference = (clusterId: string): string =>
  `registration:cluster:${clusterId}`;
export const workloadRegistrationReference = (workloadId: number): string =>
  `registration:workload:${workloadId}`;

export class AlreadyRegisteredError extends DomainError {
  constructor(readonly account: string) {
    super("conflict", `${account} is already registered`);
  }
}

export interface Registration {
  account: string;
  amount: bigint;
  sequence: bigint;
}

/**
 * The one registration step both kinds share: refuse a registered account, open it, credit it from
 * the platform under its registration reference (the unique key: a racing second registration
 * appends nothing and is refused too).
 */
async function creditRegistration(
  tx: TransactionClient,
  account: EnsureAccountInput,
  credit: { reference: string; amount: bigint; inputs: Record<string, string> },
  options: AppendOptions,
): Promise<Registration> {
  const existing = await tx.ledgerTransaction.findUnique({
    where: { reference: credit.reference },
    select: { sequence: true },
  });
  if (existing) throw new AlreadyRegisteredError(account.id);
  await ensureLedgerAccount(tx, account, options);
  const result = await appendLedgerTransaction(
    tx,
    { from: PLATFORM_ACCOUNT, to: account.id, rule: "registration", ...credit },
    options,
  );
  if (!result.appended) throw new AlreadyRegisteredError(account.id);
  return { account: account.id, amount: credit.amount, sequence: result.sequence };
}

/** Registers a cluster (account + credit), inside the caller's transaction. */
export async function registerClusterAccount(
  tx: TransactionClient,
  clusterId: string,
  options: AppendOptions = {},
): Promise<Registration> {
  const cluster = await tx.cluster.findUnique({
    where: { id: clusterId },
    select: { id: true, name: true, cpus: true, ownerId: true },
  });
  if (!cluster) throw new DomainError("not_found", `Cluster ${clusterId} does not exist.`, "clusterId");
  return creditRegistration(
    tx,
    {
      id: clusterAccount(cluster.id),
      kind: "CLUSTER",
      ownerUserId: cluster.ownerId,
      displayName: cluster.name,
    },
    {
      reference: clusterRegistrationReference(cluster.id),
      amount: BigInt(cluster.cpus) * CLUSTER_REGISTRATION_PER_CPU,
      inputs: {
        cluster: cluster.name,
        cpus: String(cluster.cpus),
        unitsPerCpu: CLUSTER_REGISTRATION_PER_CPU.toString(),
      },
    },
    options,
  );
}

/** Registers a workload that just became ACCEPTED, inside the transaction that accepted it. */
export async function registerWorkloadAccount(
  tx: TransactionClient,
  workloadId: number,
  options: AppendOptions = {},
): Promise<Registration> {
  const workload = await tx.workload.findUnique({
    where: { id: workloadId },
    select: { id: true, name: true, version: true, ownerId: true, ingressSupport: true, status: true },
  });
  if (!workload) throw new DomainError("not_found", `Workload ${workloadId} does not exist.`, "workloadId");
  if (workload.status !== "ACCEPTED")
    throw new DomainError("conflict", `Workload ${workloadId} is not ACCEPTED and cannot be registered.`);
  const ingress = workload.ingressSupport ? WORKLOAD_INGRESS_REGISTRATION_REWARD : 0n;
  return creditRegistration(
    tx,
    {
      id: workloadAccount(workload.id),
      kind: "WORKLOAD",
      ownerUserId: workload.ownerId,
      displayName: `${workload.name} ${workload.version}`,
    },
    {
      reference: workloadRegistrationReference(workload.id),
      amount: WORKLOAD_REGISTRATION_REWARD + ingress,
      inputs: {
        workload: workload.name,
        version: workload.version,
        ingressSupport: String(workload.ingressSupport),
        baseReward: WORKLOAD_REGISTRATION_REWARD.toString(),
        ingressReward: ingress.toString(),
      },
    },
    options,
  );
}

/**
 * The moca worker's handler of a join reply: an `ok` registers the cluster
 * once. A second ok for a registered cluster (the MO answers a re-join, or
 * a reply is re-sent under a new message id) is logged and credits nothing.
 */
export async function registerJoinedCluster(
  tx: TransactionClient,
  reply: ClusterJoinReply,
  log: Logger,
): Promise<"registered" | "already registered" | "skipped"> {
  if (reply.status !== "ok") return "skipped";
  const cluster = await tx.cluster.findUnique({ where: { name: reply.cluster_name }, select: { id: true } });
  if (!cluster) return "skipped";
  try {
    const registration = await registerClusterAccount(tx, cluster.id);
    log.info(
      {
        cluster: reply.cluster_name,
        account: registration.account,
        amount: registration.amount.toString(),
        sequence: registration.sequence.toString(),
      },
      "cluster registered on the ledger",
    );
    return "registered";
  } catch (error) {
    if (!(error instanceof AlreadyRegisteredError)) throw error;
    log.info({ cluster: reply.cluster_name, account: error.account }, "cluster already registered");
    return "already registered";
  }
}
