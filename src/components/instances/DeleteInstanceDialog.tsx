"use client";

import { ConfirmDialog } from "@/components/ConfirmDialog";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";

export interface DeleteInstanceTarget {
  id: string;
  releaseName: string;
  shortId: string;
  cluster: string | null;
}

/** Confirms before asking the orchestrator to remove the instance from its cluster. */
export function DeleteInstanceDialog({
  instance,
  onClose,
  onDeleted,
}: {
  instance: DeleteInstanceTarget | null;
  onClose: () => void;
  onDeleted?: (instance: DeleteInstanceTarget) => void;
}) {
  const trpc = useTRPC();
  const remove = useConsoleMutation(
    trpc.instance.delete.mutationOptions({
      onSuccess: () => {
        if (instance) onDeleted?.(instance);
        remove.reset();
        onClose();
      },
    }),
    { invalidates: [trpc.instance.pathKey()] },
  );
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={instance !== null}
      title="Delete instance?"
      confirmLabel="Delete"
      pending={remove.isPending}
      error={remove.error?.message}
      onCancel={close}
      onConfirm={() => instance && remove.mutate({ id: instance.id })}
    >
      Delete{" "}
      <strong>
        {instance?.releaseName} ({instance?.shortId})
      </strong>
      ?{" "}
      {instance?.cluster
        ? `The orchestrator removes its namespace and every resource in it from ${instance.cluster}.`
        : "It is not running on any cluster, so nothing needs to be removed."}{" "}
      Its timeline is kept.
    </ConfirmDialog>
  );
}
