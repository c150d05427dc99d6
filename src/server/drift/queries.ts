import { assertServiceUser, type InstanceDeps } from "@/server/instances";
import { isUuid } from "@/common/ids";
import { DomainError } from "@/server/errors";
import { instanceScope } from "@/server/instances";
import { readDriftSummary, type DriftSummary } from "./compare";

/** What the instance page's drift panel shows (and REST answers). */
export interface InstanceDrift {
  instanceId: string;
  status: "unknown" | "in_sync" | "drifted";
  checkedAt: Date | null;
  /** The drifted objects and fields; null until the first check. Secret values never appear. */
  summary: DriftSummary | null;
  /** Whether Re-sync is possible now (the instance is DEPLOYED). */
  canResync: boolean;
}

/** The stored drift verdict of an instance the caller may see (another tenant's: not found). */
export async function instanceDrift(
  deps: Pick<InstanceDeps, "db" | "user">,
  id: string,
): Promise<InstanceDrift> {
  assertServiceUser(deps.user);
  if (typeof id !== "string" || !isUuid(id)) throw new DomainError("not_found", "No such workload instance.");
  const row = await deps.db.workloadInstance.findFirst({
    where: { id, ...instanceScope(deps.user) },
    select: { id: true, status: true, driftStatus: true, driftCheckedAt: true, driftSummary: true },
  });
  if (!row) throw new DomainError("not_found", "No such workload instance.");
  const deployed = row.status === "DEPLOYED";
  return {
    instanceId: row.id,
    // A verdict is about the deployed objects: before deployment or after removal there is none.
    status: deployed ? row.driftStatus : "unknown",
    checkedAt: deployed ? row.driftCheckedAt : null,
    summary: deployed ? readDriftSummary(row.driftSummary) : null,
    canResync: deployed,
  };
}
