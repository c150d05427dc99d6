"use client";

import DnsOutlinedIcon from "@mui/icons-material/DnsOutlined";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Mono, ResourceTable, useListControls, type Column } from "@/components/ResourceTable";
import { StatusChip } from "@/components/StatusChip";
import { useTRPC } from "@/trpc/react";
import type { RouterInputs, RouterOutputs } from "@/trpc/types";

type Row = RouterOutputs["cluster"]["list"]["items"][number];
type Sort = NonNullable<RouterInputs["cluster"]["list"]["sort"]>;

const gb = (value: number) => `${value.toLocaleString("en")} GB`;

const COLUMNS: Column<Row, Sort>[] = [
  { key: "id", label: "ID", sort: "id", render: (c) => <Mono title={c.id}>{c.id.slice(0, 7)}</Mono> },
  { key: "name", label: "Name", sort: "name", render: (c) => <strong>{c.name}</strong> },
  { key: "status", label: "Status", sort: "status", render: (c) => <StatusChip status={c.status} /> },
  { key: "endpoint", label: "Endpoint", sort: "endpoint", render: (c) => <Mono>{c.endpoint}</Mono> },
  { key: "cpus", label: "CPUs", sort: "cpus", align: "right", render: (c) => c.cpus },
  { key: "storage", label: "Storage", sort: "storageGb", align: "right", render: (c) => gb(c.storageGb) },
  { key: "memory", label: "Memory", sort: "memoryGb", align: "right", render: (c) => gb(c.memoryGb) },
  { key: "vram", label: "VRAM", sort: "vramGb", align: "right", render: (c) => gb(c.vramGb) },
];

export function ClustersTable({ readOnly }: { readOnly: boolean }) {
  const trpc = useTRPC();
  const controls = useListControls<Sort>("name");
  const result = useQuery({
    ...trpc.cluster.list.queryOptions(controls.input),
    placeholderData: keepPreviousData,
  });
  return (
    <ResourceTable
      noun="clusters"
      columns={COLUMNS}
      rowKey={(c) => c.id}
      controls={controls}
      result={result}
      empty={{
        icon: <DnsOutlinedIcon />,
        title: "No clusters registered yet",
        description: readOnly
          ? "Infrastructure providers have not registered any cluster yet. Clusters will appear here once they join the continuum."
          : "Register a Kubernetes cluster with its capacity, availability and pricing, and follow it here as it joins the continuum.",
      }}
    />
  );
}
