"use client";

import { ConfirmDialog } from "@/components/ConfirmDialog";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";

export interface DeleteTarget {
  id: number;
  name: string;
  version: string;
}

export function DeleteWorkloadDialog({
  workload,
  onClose,
  onDeleted,
}: {
  workload: DeleteTarget | null;
  onClose: () => void;
  onDeleted: (workload: DeleteTarget) => void;
}) {
  const trpc = useTRPC();
  const remove = useConsoleMutation(
    trpc.workload.delete.mutationOptions({
      onSuccess: () => {
        if (workload) onDeleted(workload);
        remove.reset();
      },
    }),
    {
      invalidates: [trpc.workload.pathKey()],
      succeeded: () => (workload ? `Workload ${workload.name} ${workload.version} deleted.` : undefined),
    },
  );
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={workload !== null}
      title="Delete workload?"
      confirmLabel="Delete"
      pending={remove.isPending}
      error={remove.error?.message}
      onCancel={close}
      onConfirm={() => workload && remove.mutate({ id: workload.id })}
    >
      Delete{" "}
      <strong>
        {workload?.name} {workload?.version}
      </strong>{" "}
      and its uploaded chart? This cannot be undone.
    </ConfirmDialog>
  );
}
