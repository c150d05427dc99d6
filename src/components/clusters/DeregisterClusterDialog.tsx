"use client";

import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Stack from "@mui/material/Stack";
import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";

/**
 * Confirmation before a cluster leaves the continuum. While instances still
 * run on it the dialog says so and offers to drain it first (cordon, migrate
 * them away; the cluster page follows the progress); the server refuses a
 * deregistration then anyway (409), and that message stays in the dialog.
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
  const router = useRouter();
  const status = useQuery({
    ...trpc.cluster.drainStatus.queryOptions({ id: cluster?.id ?? "" }),
    enabled: cluster !== null,
  });
  const deregister = useConsoleMutation(
    trpc.cluster.deregister.mutationOptions({ onSuccess: (done) => onDeregistered(done.name) }),
    { invalidates: [trpc.cluster.pathKey()], succeeded: (done) => `Cluster ${done.name} deregistered.` },
  );
  const drain = useConsoleMutation(
    trpc.cluster.drain.mutationOptions({
      onSuccess: (done) => {
        onClose();
        router.push(`/clusters/${done.clusterId}/metrics`);
      },
    }),
    {
      invalidates: [trpc.cluster.pathKey()],
      succeeded: (done) => `Cluster ${done.cluster} cordoned; moving ${done.remaining} instance(s) away.`,
    },
  );
  const close = () => {
    deregister.reset();
    drain.reset();
    onClose();
  };
  const remaining = status.data?.remaining ?? 0;

  return (
    <ConfirmDialog
      open={cluster !== null}
      title={<>Deregister {cluster?.name}?</>}
      confirmLabel="Deregister"
      pending={deregister.isPending || drain.isPending}
      error={deregister.error?.message ?? drain.error?.message}
      onCancel={close}
      onConfirm={() => cluster && deregister.mutate({ id: cluster.id })}
      maxWidth="xs"
    >
      <Stack spacing={2}>
        <span>
          The cluster leaves the continuum: no new instances are placed on it, its metrics stop and its
          kubeconfig is deleted. Its name stays taken.
        </span>
        {remaining > 0 && cluster && (
          <Alert
            severity="warning"
            data-testid="drain-first"
            action={
              <Button
                color="inherit"
                size="small"
                loading={drain.isPending}
                onClick={() => drain.mutate({ id: cluster.id })}
              >
                Drain first
              </Button>
            }
          >
            {remaining} instance(s) still run on it. Drain it first: it is cordoned and they migrate to other
            clusters; deregister once it is empty.
          </Alert>
        )}
      </Stack>
    </ConfirmDialog>
  );
}
