import type { TransactionClient } from "@/server/bus";
import { enqueueOutbox, messages, type ClusterJoinReply, type ClusterJoinRequest } from "@/server/bus";
import type { Db } from "@/server/db";
import type { Logger } from "@/server/logger";
import { SecretError } from "@/server/secrets";
import { notifyClusterError } from "@/server/notifications";
import { driverConfigOf, sharedDriverFactory, type DriverFactory } from "./connection";
import type { ClusterDriver, ClusterDriverConfig } from "./driver";
import { ClusterDriverError, sanitizeDetail } from "./errors";
import { resolveClusterTarget } from "./driver-factory";

/**
 * The Meta-Orchestrator's side of a cluster join: validate the stored
 * kubeconfig, connect through the cluster's driver, and answer ok / error in
 * the reference MO's reply shape. The cluster's status and the reply are
 * written in the consumer's transaction (reply through the outbox), so a
 * redelivered request changes nothing twice.
 */

export interface JoinDependencies {
  /** The worker's database client (the shared simulated continuum lives behind it). */
  db: Db;
  log: Logger;
  /** Replaceable for tests of the Kubernetes path. */
  driverFor?: DriverFactory;
}

/** The reference MO's wording for a conflicting join (docs/protocol.md, `mo.join.reply`). */
export const ALREADY_JOINED_ERROR = "request failed: http request failed with status 409";

/** Longest status reason a join writes: the driver's sentence and its short detail, never a dump. */
const MAX_REASON_LENGTH = 400;

/**
 * A driver failure as a status reason and reply text: its type and its own
 * (already fixed-sentence) message, bounded and on one line once more, since
 * status reasons are shown to other users; anything that is not a driver
 * error says only that the driver failed (the log keeps the error).
 */
function reasonOf(error: unknown): string {
  if (error instanceof ClusterDriverError)
    return sanitizeDetail(`${error.type}: ${error.message}`, MAX_REASON_LENGTH);
  return "UNKNOWN: the cluster driver failed";
}

/** Where a cluster's API really is: two registrations of one endpoint are one cluster. */
function endpointIdentity(config: ClusterDriverConfig): string | null {
  try {
    const target = resolveClusterTarget(config);
    return target.kind === "simulated" ? `sim://${target.cluster}` : target.server.replace(/\/+$/, "");
  } catch {
    return null;
  }
}

export async function handleClusterJoin(
  tx: TransactionClient,
  request: ClusterJoinRequest,
  deps: JoinDependencies,
): Promise<ClusterJoinReply> {
  const log = deps.log.child({ cluster: request.cluster_name, operationId: request.id });
  const cluster = await tx.cluster.findUnique({ where: { name: request.cluster_name } });

  const reply = async (outcome: ClusterJoinReply): Promise<ClusterJoinReply> => {
    await enqueueOutbox(tx, messages.clusterJoinReply, outcome);
    return outcome;
  };
  const fail = async (error: string, code: number, reason: string): Promise<ClusterJoinReply> => {
    if (cluster) {
      await tx.cluster.update({ where: { id: cluster.id }, data: { status: "ERROR", statusReason: reason } });
      // Its provider and the admins are told, on the transition only, with this join as the source.
      await notifyClusterError(tx, {
        clusterId: cluster.id,
        previousStatus: cluster.status,
        reason,
        cause: request.id,
      });
    }
    log.warn({ code, reason }, "cluster join refused");
    return reply({
      action: "join",
      status: "error",
      cluster_name: request.cluster_name,
      error,
      id: request.id,
      code,
    });
  };

  if (!cluster || cluster.status === "DEREGISTERED") {
    return reply({
      action: "join",
      status: "error",
      cluster_name: request.cluster_name,
      error: "request failed: http request failed with status 404",
      id: request.id,
      code: 404,
    });
  }
  // A join for a cluster that already joined under another operation: the MO's 409.
  if (cluster.status === "OK" && cluster.joinOperationId !== request.id) {
    log.warn("cluster already joined");
    return reply({
      action: "join",
      status: "error",
      cluster_name: request.cluster_name,
      error: ALREADY_JOINED_ERROR,
      id: request.id,
      code: 409,
    });
  }
  if (cluster.joinOperationId !== request.id) {
    // A stale request from an earlier registration attempt: the newer one decides.
    return fail(
      "request failed: superseded by a newer join request",
      409,
      "superseded by a newer join request",
    );
  }

  let config: ClusterDriverConfig;
  try {
    config = driverConfigOf(cluster);
  } catch (error) {
    if (!(error instanceof SecretError)) log.error({ err: error }, "stored kubeconfig unreadable");
    const message =
      error instanceof SecretError
        ? sanitizeDetail(error.message)
        : "the stored kubeconfig could not be read";
    return fail(`request failed: ${message}`, 400, `kubeconfig rejected: ${message}`);
  }

  // The same endpoint (or the same kubeconfig) already joined under another name is the MO's 409 too.
  const identity = endpointIdentity(config);
  const joined = await tx.cluster.findMany({
    where: { status: "OK", id: { not: cluster.id } },
    select: { name: true, managedApi: true, kubeconfigSha256: true },
  });
  const twin = joined.find(
    (other) =>
      (cluster.kubeconfigSha256 !== null && other.kubeconfigSha256 === cluster.kubeconfigSha256) ||
      (identity !== null &&
        endpointIdentity({ name: other.name, managedApi: other.managedApi }) === identity),
  );
  if (twin) {
    return fail(
      ALREADY_JOINED_ERROR,
      409,
      `${ALREADY_JOINED_ERROR}: this endpoint already joined as "${twin.name}"`,
    );
  }

  let driver: ClusterDriver;
  try {
    driver = (deps.driverFor ?? sharedDriverFactory(deps.db))(config);
  } catch (error) {
    if (!(error instanceof ClusterDriverError)) log.error({ err: error }, "cluster driver failed");
    const message = reasonOf(error);
    return fail(`request failed: ${message}`, 400, message);
  }
  const connection = await driver.connect();
  if (!connection.ok) {
    const message = reasonOf(
      new ClusterDriverError(connection.error.type, connection.error.message, { cluster: cluster.name }),
    );
    const code =
      connection.error.type === "UNAUTHORIZED" ? 401 : connection.error.type === "UNREACHABLE" ? 503 : 400;
    return fail(`request failed: ${message}`, code, message);
  }

  await tx.cluster.update({
    where: { id: cluster.id },
    data: {
      status: "OK",
      statusReason: null,
      driver: driver.kind === "simulated" ? "SIMULATED" : "KUBERNETES",
    },
  });
  log.info({ version: connection.info.version, nodes: connection.info.nodeCount }, "cluster joined");
  return reply({
    action: "join",
    status: "ok",
    cluster_name: cluster.name,
    managed_api: cluster.managedApi,
    operation_id: request.id,
    id: request.id,
    timestamp: new Date().toISOString(),
  });
}
