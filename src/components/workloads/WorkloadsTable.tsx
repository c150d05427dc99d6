"use client";

import AddIcon from "@mui/icons-material/Add";
import CheckCircleOutlineIcon from "@mui/icons-material/CheckCircleOutlineOutlined";
import MonitorHeartOutlinedIcon from "@mui/icons-material/MonitorHeartOutlined";
import RemoveIcon from "@mui/icons-material/Remove";
import Button from "@mui/material/Button";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ResourceTable, useListControls, type Column } from "@/components/ResourceTable";
import { StatusChip } from "@/components/StatusChip";
import { useNotice } from "@/components/ui/Notice";
import { useTRPC } from "@/trpc/react";
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
  const result = useQuery({
    ...trpc.workload.list.queryOptions(controls.input),
    placeholderData: keepPreviousData,
  });
  const [creating, setCreating] = useState(false);
  const [uploading, setUploading] = useState<UploadTarget | null>(null);
  const [deleting, setDeleting] = useState<DeleteTarget | null>(null);
  const [deciding, setDeciding] = useState<ApprovalTarget | null>(null);
  const notify = useNotice();

  const columns: Column<Row, Sort>[] = [
    { key: "id", label: "ID", sort: "id", render: (w) => w.id },
    { key: "name", label: "Workload Name", sort: "name", render: (w) => <strong>{w.name}</strong> },
    { key: "version", label: "Version", sort: "version", render: (w) => w.version },
    { key: "status", label: "Status", sort: "status", render: (w) => <StatusChip status={w.status} /> },
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
      key: "actions",
      label: "Actions",
      align: "right",
      render: (w) => (
        <WorkloadActions
          workload={w}
          onUpload={setUploading}
          onDelete={setDeleting}
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
          <Button variant="contained" startIcon={<AddIcon />} onClick={() => setCreating(true)}>
            Create Workload
          </Button>
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
