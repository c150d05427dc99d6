"use client";

import { ConfirmDialog } from "@/components/ConfirmDialog";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
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
  onClose: () => void;
  onDeregistered: (name: string) => void;
}) {
  const trpc = useTRPC();
  const deregister = useConsoleMutation(
    trpc.cluster.deregister.mutationOptions({ onSuccess: (done) => onDeregistered(done.name) }),
    { invalidates: [trpc.cluster.pathKey()], succeeded: (done) => `Cluster ${done.name} deregistered.` },
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
