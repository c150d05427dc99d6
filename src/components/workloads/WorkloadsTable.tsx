"use client";

import AddIcon from "@mui/icons-material/Add";
import CheckCircleOutlineIcon from "@mui/icons-material/CheckCircleOutlineOutlined";
import MonitorHeartOutlinedIcon from "@mui/icons-material/MonitorHeartOutlined";
import RemoveIcon from "@mui/icons-material/Remove";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ResourceTable, useListControls, type Column } from "@/components/ResourceTable";
import { StatusChip } from "@/components/StatusChip";
import { ShowInactiveSwitch, useShowInactive } from "@/components/show-inactive";
import { showInactiveInput } from "@/components/show-inactive-param";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useNotice } from "@/components/ui/Notice";
import { useTRPC } from "@/trpc/react";
import { tokens } from "@/components/accounting/tokens";
import type { RouterOutputs } from "@/trpc/types";
import { CreateWorkloadDialog, type IntentTypeOption } from "./CreateWorkloadDialog";
import { DeleteWorkloadDialog, type DeleteTarget } from "./DeleteWorkloadDialog";
import { WORKLOAD_LIST, type WorkloadSort } from "./list-query";
import { UploadChartDialog, type UploadTarget } from "./UploadChartDialog";
import { ClusterScopedApprovalDialog, type ApprovalTarget } from "./ClusterScopedApprovalDialog";
import { WorkloadActions } from "./WorkloadActions";

type Row = RouterOutputs["workload"]["list"]["items"][number];
type Sort = WorkloadSort;

/** Registered Workloads: the list, "Create Workload", and each row's actions. */
export function WorkloadsTable({
  seesAll,
  intentTypes,
}: {
  seesAll: boolean;
  intentTypes: IntentTypeOption[];
}) {
  const trpc = useTRPC();
  const controls = useListControls(WORKLOAD_LIST);
  const [showInactive, setShowInactive] = useShowInactive();
  const result = useQuery({
    ...trpc.workload.list.queryOptions({ ...controls.input, ...showInactiveInput(showInactive) }),
    placeholderData: keepPreviousData,
  });
  // The page's workloads' balances, one small query beside the list (ledger accounts, not the workloads table).
  const ids = (result.data?.items ?? []).map((w) => w.id);
  const balances = useQuery({
    ...trpc.accounting.workloadBalances.queryOptions({ ids }),
    enabled: ids.length > 0,
    placeholderData: keepPreviousData,
  });
  const [creating, setCreating] = useState(false);
  const [uploading, setUploading] = useState<UploadTarget | null>(null);
  const [deleting, setDeleting] = useState<DeleteTarget | null>(null);
  const [deciding, setDeciding] = useState<ApprovalTarget | null>(null);
  const notify = useNotice();
  const archive = useConsoleMutation(trpc.workload.archive.mutationOptions(), {
    invalidates: [trpc.workload.pathKey()],
    succeeded: (w) =>
      `Workload ${w.name} ${w.version} archived: it is hidden unless inactive ones are shown.`,
    failed: (error) => error.message,
  });
  const unarchive = useConsoleMutation(trpc.workload.unarchive.mutationOptions(), {
    invalidates: [trpc.workload.pathKey()],
    succeeded: (w) => `Workload ${w.name} ${w.version} unarchived.`,
    failed: (error) => error.message,
  });
  const inFlight = (id: number) =>
    (archive.isPending && archive.variables?.id === id) ||
    (unarchive.isPending && unarchive.variables?.id === id);

  const columns: Column<Row, Sort>[] = [
    { key: "id", label: "ID", sort: "id", render: (w) => w.id },
    { key: "name", label: "Workload Name", sort: "name", render: (w) => <strong>{w.name}</strong> },
    { key: "version", label: "Version", sort: "version", render: (w) => w.version },
    {
      key: "status",
      label: "Status",
      sort: "status",
      render: (w) => (
        <Stack direction="row" spacing={0.5} sx={{ alignItems: "center" }}>
          <StatusChip status={w.status} />
          {w.archivedAt !== null && <Chip size="small" variant="outlined" label="Archived" />}
        </Stack>
      ),
    },
    {
      key: "ingress",
      label: "Ingress Support",
      sort: "ingressSupport",
      render: (w) =>
        w.ingressSupport ? (
          <CheckCircleOutlineIcon color="success" fontSize="small" titleAccess="Yes" />
        ) : (
          <RemoveIcon color="disabled" fontSize="small" titleAccess="No" />
        ),
    },
    { key: "user", label: "User", sort: "user", render: (w) => w.user },
    {
      key: "balance",
      label: "Balance",
      align: "right",
      hideBelow: "lg",
      render: (w) => (
        <WorkloadBalance
          balance={balances.data?.[String(w.id)]}
          // Not known yet (first load, or a new page while the last page's balances show) or not loaded:
          // never shown as "—", which says the workload has no account.
          state={
            balances.isError
              ? "error"
              : balances.isPending || balances.isPlaceholderData
                ? "loading"
                : "loaded"
          }
        />
      ),
    },
    {
      key: "actions",
      label: "Actions",
      align: "right",
      render: (w) => (
        <WorkloadActions
          workload={w}
          onUpload={setUploading}
          onDelete={setDeleting}
          onArchive={(row, yes) => (yes ? archive : unarchive).mutate({ id: row.id })}
          archiving={inFlight(w.id)}
          {...(seesAll && { onApproval: setDeciding })}
        />
      ),
    },
  ];

  return (
    <>
      <ResourceTable
        noun="workloads"
        columns={columns}
        rowKey={(w) => w.id}
        controls={controls}
        result={result}
        toolbar={
          <Stack direction="row" spacing={2} sx={{ alignItems: "center" }}>
            <ShowInactiveSwitch
              checked={showInactive}
              what="archived workloads"
              onChange={(value) => {
                setShowInactive(value);
                controls.setPage(1);
              }}
            />
            <Button variant="contained" startIcon={<AddIcon />} onClick={() => setCreating(true)}>
              Create Workload
            </Button>
          </Stack>
        }
        empty={{
          icon: <MonitorHeartOutlinedIcon />,
          title: "No workloads yet",
          description: seesAll
            ? "Workloads registered by service providers will appear here with their validation status."
            : "Register a workload (a name and version backed by a Helm chart) and it will appear here with its validation status.",
        }}
      />
      <CreateWorkloadDialog
        open={creating}
        intentTypes={intentTypes}
        onClose={() => setCreating(false)}
        onCreated={(w) => {
          setCreating(false);
          // The next step is uploading the chart: the notice offers it.
          notify({
            message: `Workload ${w.name} ${w.version} registered (PENDING). Upload its Helm chart next.`,
            autoHideMs: 8_000,
            action: {
              label: "Upload chart",
              onClick: () => setUploading({ id: w.id, name: w.name, version: w.version }),
            },
          });
        }}
      />
      <UploadChartDialog workload={uploading} onClose={() => setUploading(null)} />
      <ClusterScopedApprovalDialog workload={deciding} onClose={() => setDeciding(null)} />
      <DeleteWorkloadDialog
        workload={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={() => setDeleting(null)}
      />
    </>
  );
}

/** A workload's balance; "—" only when the ledger has no account for it (not accepted yet). */
function WorkloadBalance({
  balance,
  state,
}: {
  balance: string | undefined;
  state: "loading" | "error" | "loaded";
}) {
  if (balance !== undefined) {
    return (
      <span data-testid="workload-balance" style={{ whiteSpace: "nowrap" }}>
        {tokens(balance)}
      </span>
    );
  }
  if (state === "loading")
    return <Skeleton data-testid="workload-balance-loading" width={64} aria-label="Loading balance" />;
  return (
    <span
      data-testid="workload-balance"
      title={
        state === "error"
          ? "The balances could not be loaded."
          : "No account: a workload gets one when it is accepted."
      }
    >
      {state === "error" ? "unavailable" : "—"}
    </span>
  );
}
