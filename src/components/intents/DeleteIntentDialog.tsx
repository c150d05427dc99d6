"use client";

import { ConfirmDialog } from "@/components/ConfirmDialog";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";
import { intentTypeDisplayName, intentTypeLabel } from "@/common/intent-catalogue";

export interface DeleteIntentTarget {
  id: string;
  shortId: string;
  intentType: string;
  releaseName: string;
}

/** Confirms before deleting an intent (its reports end with TERMINATED; the instance stays). */
export function DeleteIntentDialog({
  intent,
  onClose,
  onDeleted,
}: {
  intent: DeleteIntentTarget | null;
  onClose: () => void;
  onDeleted?: (intent: DeleteIntentTarget) => void;
}) {
  const trpc = useTRPC();
  const remove = useConsoleMutation(
    trpc.intent.action.mutationOptions({
      onSuccess: () => {
        if (intent) onDeleted?.(intent);
        remove.reset();
        onClose();
      },
    }),
    {
      invalidates: [trpc.intent.pathKey()],
      succeeded: () =>
        intent
          ? `Deleted the ${intentTypeDisplayName(intent.intentType)} intent ${intent.shortId}.`
          : undefined,
    },
  );
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={intent !== null}
      title="Delete intent?"
      confirmLabel="Delete"
      pending={remove.isPending}
      error={remove.error?.message}
      onCancel={close}
      onConfirm={() => intent && remove.mutate({ id: intent.id, action: "delete" })}
    >
      Delete the{" "}
      <strong>
        {intent ? intentTypeLabel(intent.intentType) : ""} intent {intent?.shortId}
      </strong>{" "}
      of {intent?.releaseName}? The evaluator stops checking it; the instance keeps running where it is.
    </ConfirmDialog>
  );
}
