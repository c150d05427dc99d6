import type { Prisma } from "@/generated/prisma/client";
import type { InstanceStatus } from "@/generated/prisma/enums";
import { canInstanceTransition } from "@/common/instance-status";
import type { TransactionClient } from "@/server/bus";
import type { Db } from "@/server/db";

/**
 * The one writer of instance statuses: a move happens only if it is legal
 * (`@/common/instance-status`) and only if the instance is still where the
 * caller saw it, so two actors racing (a deploy finishing, a user deleting,
 * a migration completing) cannot overwrite each other.
 */
type Writer = Db | TransactionClient;

/**
 * Moves an instance from `from` to `to` if it is still in `from`; false when
 * something else moved it first. An illegal move is a programming error.
 */
export async function moveInstance(
  db: Writer,
  instanceId: string,
  from: InstanceStatus,
  to: InstanceStatus,
  data: Omit<Prisma.WorkloadInstanceUpdateManyMutationInput, "status"> & {
    clusterId?: string | null;
    /** A change to another version of the workload (an upgrade). */
    workloadId?: number;
  } = {},
): Promise<boolean> {
  if (!canInstanceTransition(from, to)) throw new Error(`illegal instance transition ${from} → ${to}`);
  const moved = await db.workloadInstance.updateMany({
    where: { id: instanceId, status: from },
    data: { ...data, status: to },
  });
  return moved.count === 1;
}
