import { hasRole, Role } from "@/common/roles";
import { DomainError, parseOrThrow } from "@/server/errors";
import { workloadNotFound } from "./access";
import { parseWorkloadId, toWorkloadView, workloadViewSelect, type WorkloadDeps } from "./workloads";
import { clusterScopedApprovalSchema, type WorkloadView } from "./schemas";

/**
 * An admin's decision to let one workload's charts create cluster-scoped
 * objects (ClusterRoles, CRDs, webhooks, …) on the clusters its instances
 * land on, or to take that back. Only admins decide; every decision is kept
 * in the audit log with who made it. Instances deployed later follow the
 * current decision (see `clusters/namespace-policy.ts`).
 */
export async function setClusterScopedApproval(
  deps: WorkloadDeps,
  id: unknown,
  input: unknown,
  now: Date = new Date(),
): Promise<WorkloadView> {
  const { db, user } = deps;
  if (!hasRole(user.roles, Role.NEMO_ADMIN))
    throw new DomainError("forbidden", "Only a NEMO admin can approve cluster-scoped resources.");
  const workloadId = parseWorkloadId(id);
  const { approved } = parseOrThrow(clusterScopedApprovalSchema, input);
  return db.$transaction(async (tx) => {
    const current = await tx.workload.findUnique({
      where: { id: workloadId },
      select: { clusterScopedApprovedAt: true, name: true, version: true },
    });
    if (!current) throw workloadNotFound(workloadId);
    // Asking for the state it is already in changes nothing and is not a new decision.
    if ((current.clusterScopedApprovedAt !== null) !== approved) {
      await tx.workload.update({
        where: { id: workloadId },
        data: approved
          ? { clusterScopedApprovedAt: now, clusterScopedApprovedById: user.id }
          : { clusterScopedApprovedAt: null, clusterScopedApprovedById: null },
      });
      await tx.auditEvent.create({
        data: {
          actorId: user.id,
          actorName: user.username,
          action: approved ? "workload.cluster-scoped.approved" : "workload.cluster-scoped.revoked",
          subjectType: "workload",
          subjectId: String(workloadId),
          detail: { name: current.name, version: current.version },
          createdAt: now,
        },
      });
    }
    const row = await tx.workload.findUniqueOrThrow({
      where: { id: workloadId },
      select: workloadViewSelect,
    });
    return toWorkloadView(row);
  });
}
