"use client";

import TrackChangesOutlinedIcon from "@mui/icons-material/TrackChangesOutlined";
import Stack from "@mui/material/Stack";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Mono, ResourceTable, useListControls, type Column } from "@/components/ResourceTable";
import { StatusChip } from "@/components/StatusChip";
import { useTRPC } from "@/trpc/react";
import type { RouterInputs, RouterOutputs } from "@/trpc/types";

type Row = RouterOutputs["intent"]["list"]["items"][number];
type Sort = NonNullable<RouterInputs["intent"]["list"]["sort"]>;

const COLUMNS: Column<Row, Sort>[] = [
  { key: "id", label: "ID", sort: "id", render: (i) => <Mono title={i.id}>{i.id.slice(0, 8)}</Mono> },
  {
    key: "status",
    label: "Status",
    sort: "status",
    render: (i) => (
      <Stack direction="row" spacing={0.75}>
        <StatusChip status={i.status} />
        {i.fulfilment && <StatusChip status={i.fulfilment} />}
      </Stack>
    ),
  },
  {
    key: "intentType",
    label: "Intent Type",
    sort: "intentType",
    render: (i) => <strong>{i.intentType}</strong>,
  },
  {
    key: "instanceId",
    label: "Workload Instance ID",
    sort: "instanceId",
    render: (i) => <Mono>{i.instanceId}</Mono>,
  },
];

export function IntentsTable({ seesAll }: { seesAll: boolean }) {
  const trpc = useTRPC();
  const controls = useListControls<Sort>("id");
  const result = useQuery({
    ...trpc.intent.list.queryOptions(controls.input),
    placeholderData: keepPreviousData,
  });
  return (
    <ResourceTable
      noun="intents"
      columns={COLUMNS}
      rowKey={(i) => i.id}
      controls={controls}
      result={result}
      empty={{
        icon: <TrackChangesOutlinedIcon />,
        title: "No intents yet",
        description: seesAll
          ? "Intents attached to workload instances will appear here with their fulfilment status."
          : "Attach an intent (availability, green energy, compute, ML or network) to an instance and see here whether it is fulfilled.",
      }}
    />
  );
}
