"use client";

import { ConfirmDialog } from "@/components/ConfirmDialog";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";

export interface ApprovalTarget {
  id: number;
  name: string;
  version: string;
  /** Whether it is approved now: the dialog offers the other decision. */
  clusterScopedApproved: boolean;
}

/**
 * An admin's decision on one workload's cluster-scoped resources. Said
 * plainly, because approving lets the workload's charts act on every cluster
 * its instances reach, beyond their namespace.
 */
export function ClusterScopedApprovalDialog({
  workload,
  onClose,
}: {
  workload: ApprovalTarget | null;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const approving = workload !== null && !workload.clusterScopedApproved;
  const decide = useConsoleMutation(
    trpc.workload.setClusterScopedApproval.mutationOptions({
      onSuccess: () => {
        decide.reset();
        onClose();
      },
    }),
    {
      invalidates: [trpc.workload.pathKey()],
      succeeded: (_data, variables) =>
        workload
          ? `Cluster-scoped resources ${variables.approved ? "approved" : "revoked"} for ${workload.name} ${workload.version}.`
          : undefined,
    },
  );
  const close = () => {
    decide.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={workload !== null}
      title={approving ? "Approve cluster-scoped resources?" : "Revoke cluster-scoped resources?"}
      confirmLabel={approving ? "Approve" : "Revoke"}
      pending={decide.isPending}
      error={decide.error?.message}
      onCancel={close}
      onConfirm={() => workload && decide.mutate({ id: workload.id, approved: approving })}
    >
      {approving ? (
        <>
          Let the charts of{" "}
          <strong>
            {workload?.name} {workload?.version}
          </strong>{" "}
          create cluster-scoped objects (ClusterRoles and their bindings, CRDs, webhooks) and objects in other
          namespaces on the clusters its instances are deployed to? Your decision is recorded in the audit
          log.
        </>
      ) : (
        <>
          Stop the charts of{" "}
          <strong>
            {workload?.name} {workload?.version}
          </strong>{" "}
          from creating cluster-scoped objects? Instances deployed from now on are refused if their chart
          needs them. Your decision is recorded in the audit log.
        </>
      )}
    </ConfirmDialog>
  );
}
