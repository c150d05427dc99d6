"use client";

import LayersOutlinedIcon from "@mui/icons-material/LayersOutlined";
import Typography from "@mui/material/Typography";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Mono, ResourceTable, useListControls, type Column } from "@/components/ResourceTable";
import { StatusChip } from "@/components/StatusChip";
import { useTRPC } from "@/trpc/react";
import type { RouterInputs, RouterOutputs } from "@/trpc/types";

type Row = RouterOutputs["instance"]["list"]["items"][number];
type Sort = NonNullable<RouterInputs["instance"]["list"]["sort"]>;

const COLUMNS: Column<Row, Sort>[] = [
  { key: "shortId", label: "ID", sort: "shortId", render: (i) => <Mono>{i.shortId}</Mono> },
  {
    key: "releaseName",
    label: "Release Name",
    sort: "releaseName",
    render: (i) => <strong>{i.releaseName}</strong>,
  },
  { key: "workloadId", label: "Workload ID", sort: "workloadId", render: (i) => i.workloadId },
  { key: "status", label: "Status", sort: "status", render: (i) => <StatusChip status={i.status} /> },
  {
    key: "cluster",
    label: "Cluster",
    sort: "cluster",
    render: (i) =>
      i.cluster ?? (
        <Typography variant="body2" component="span" color="text.secondary">
          Not placed
        </Typography>
      ),
  },
  { key: "id", label: "Instance ID", sort: "id", render: (i) => <Mono>{i.id}</Mono> },
];

export function InstancesTable({ seesAll }: { seesAll: boolean }) {
  const trpc = useTRPC();
  const controls = useListControls<Sort>("shortId");
  const result = useQuery({
    ...trpc.instance.list.queryOptions(controls.input),
    placeholderData: keepPreviousData,
  });
  return (
    <ResourceTable
      noun="instances"
      columns={COLUMNS}
      rowKey={(i) => i.id}
      controls={controls}
      result={result}
      empty={{
        icon: <LayersOutlinedIcon />,
        title: "No workload instances yet",
        description: seesAll
          ? "Instances created by service providers will appear here as they are rendered, placed and deployed."
          : "Create an instance of an accepted workload and follow it here as it is rendered, placed and deployed.",
      }}
    />
  );
}
