"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConfirmDialog } from "@/components/ConfirmDialog";
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
  onClose(): void;
  onDeleted(workload: DeleteTarget): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.workload.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.workload.pathKey() });
        if (workload) onDeleted(workload);
        remove.reset();
      },
    }),
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
