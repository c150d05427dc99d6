"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { useTRPC } from "@/trpc/react";

/**
 * Confirmation before a cluster leaves the continuum. The server refuses
 * while instances run on it (409); that message stays in the dialog so the
 * provider knows what to move first.
 */
export function DeregisterClusterDialog({
  cluster,
  onClose,
  onDeregistered,
}: {
  /** The cluster to deregister; the dialog is open while one is given. */
  cluster: { id: string; name: string } | null;
  onClose(): void;
  onDeregistered(name: string): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const deregister = useMutation(
    trpc.cluster.deregister.mutationOptions({
      onSuccess: async (done) => {
        await queryClient.invalidateQueries({ queryKey: trpc.cluster.pathKey() });
        onDeregistered(done.name);
      },
    }),
  );
  const close = () => {
    deregister.reset();
    onClose();
  };

  return (
    <ConfirmDialog
      open={cluster !== null}
      title={<>Deregister {cluster?.name}?</>}
      confirmLabel="Deregister"
      pending={deregister.isPending}
      error={deregister.error?.message}
      onCancel={close}
      onConfirm={() => cluster && deregister.mutate({ id: cluster.id })}
      maxWidth="xs"
    >
      The cluster leaves the continuum: no new instances are placed on it, its metrics stop and its kubeconfig
      is deleted. Its name stays taken.
    </ConfirmDialog>
  );
}
