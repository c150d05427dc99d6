"use client";

import CheckCircleOutlineIcon from "@mui/icons-material/CheckCircleOutlineOutlined";
import MonitorHeartOutlinedIcon from "@mui/icons-material/MonitorHeartOutlined";
import RemoveIcon from "@mui/icons-material/Remove";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ResourceTable, useListControls, type Column } from "@/components/ResourceTable";
import { StatusChip } from "@/components/StatusChip";
import { useTRPC } from "@/trpc/react";
import type { RouterInputs, RouterOutputs } from "@/trpc/types";

type Row = RouterOutputs["workload"]["list"]["items"][number];
type Sort = NonNullable<RouterInputs["workload"]["list"]["sort"]>;

const COLUMNS: Column<Row, Sort>[] = [
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
];

export function WorkloadsTable({ seesAll }: { seesAll: boolean }) {
  const trpc = useTRPC();
  const controls = useListControls<Sort>("id");
  const result = useQuery({
    ...trpc.workload.list.queryOptions(controls.input),
    placeholderData: keepPreviousData,
  });
  return (
    <ResourceTable
      noun="workloads"
      columns={COLUMNS}
      rowKey={(w) => w.id}
      controls={controls}
      result={result}
      empty={{
        icon: <MonitorHeartOutlinedIcon />,
        title: "No workloads yet",
        description: seesAll
          ? "Workloads registered by service providers will appear here with their validation status."
          : "Register a workload (a name and version backed by a Helm chart) and it will appear here with its validation status.",
      }}
    />
  );
}
