import type { Prisma } from "@/generated/prisma/client";
import { rolesForArea } from "@/common/areas";
import { describeRoles, hasAnyRole, hasRole, Role } from "@/common/roles";
import type { SessionUser } from "@/server/auth";
import { DomainError } from "@/server/errors";

/**
 * Who may do what with workloads, decided here so tRPC, REST and workers
 * agree: service providers and admins manage workloads; a service provider
 * works only with their own (someone else's is "not found", so ids do not
 * reveal other tenants' workloads); an admin works with all of them.
 */
const WORKLOAD_ROLES = rolesForArea("workloads");

export function assertMayManageWorkloads(user: SessionUser): void {
  if (!hasAnyRole(user.roles, WORKLOAD_ROLES)) {
    throw new DomainError("forbidden", `This needs the ${describeRoles(WORKLOAD_ROLES)} role.`);
  }
}

export function seesAllWorkloads(user: SessionUser): boolean {
  return hasRole(user.roles, Role.NEMO_ADMIN);
}

/** The rows the caller may see. */
export function workloadScope(user: SessionUser): Prisma.WorkloadWhereInput {
  return seesAllWorkloads(user) ? {} : { ownerId: user.id };
}

export function workloadNotFound(id: number): DomainError {
  return new DomainError("not_found", `Workload ${id} was not found.`, "id");
}
