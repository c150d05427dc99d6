"use client";

import MarkEmailReadOutlinedIcon from "@mui/icons-material/MarkEmailReadOutlined";
import Button from "@mui/material/Button";
import Stack from "@mui/material/Stack";
import TextField from "@mui/material/TextField";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { SelectFilter, useListFilters } from "@/components/list-filters";
import { Mono, ResourceTable, useListControls, type Column } from "@/components/ResourceTable";
import { StatusChip } from "@/components/StatusChip";
import { Time } from "@/components/ui/Time";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { FailedMessageDrawer } from "./FailedMessageDrawer";
import {
  FAILED_MESSAGE_LIST,
  failedMessageListInput,
  NO_FILTERS,
  type FailedMessageFilters,
  type FailedMessageKindFilter,
  type FailedMessageSort,
  type FailedMessageStateFilter,
} from "./list-query";

type Row = RouterOutputs["failedMessage"]["list"]["items"][number];

export const KIND_LABELS: Record<Row["kind"], string> = {
  outbox: "Outbox",
  "dead-letter": "Dead letter",
};

const KIND_OPTIONS = (["outbox", "dead-letter"] as const).map((value) => ({
  value,
  label: KIND_LABELS[value],
}));
const STATE_OPTIONS: { value: FailedMessageStateFilter; label: string }[] = [
  { value: "open", label: "Open" },
  { value: "resolved", label: "Replayed or discarded" },
  { value: "all", label: "All" },
];

/** Re-read every 15 s: consumers dead-letter and relays give up while the page is open. */
const REFRESH_MS = 15_000;

/**
 * Outbox rows the relay gave up on and consumers' dead letters, newest
 * first, with filters; a row's Details open the drawer with the body and the
 * Replay and Discard actions.
 */
export function FailedMessagesTable() {
  const trpc = useTRPC();
  const controls = useListControls(FAILED_MESSAGE_LIST);
  const listFilters = useListFilters<FailedMessageFilters, FailedMessageSort>(controls, NO_FILTERS);
  const { filters, filter, cleared } = listFilters;
  const [selected, setSelected] = useState<string | null>(null);
  const result = useQuery({
    ...trpc.failedMessage.list.queryOptions(failedMessageListInput(controls.input, filters)),
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
  });

  const columns: Column<Row, FailedMessageSort>[] = [
    {
      key: "createdAt",
      label: "When",
      sort: "createdAt",
      render: (m) => <Time value={m.createdAt} style={{ whiteSpace: "nowrap" }} />,
    },
    { key: "kind", label: "Kind", render: (m) => KIND_LABELS[m.kind] },
    {
      key: "status",
      label: "Status",
      render: (m) => (
        <span data-testid="failed-message-status">
          <StatusChip status={m.status} />
        </span>
      ),
    },
    {
      key: "where",
      label: "Queue / exchange",
      render: (m) => <Mono>{m.queue ?? (m.exchange || "(default exchange)")}</Mono>,
    },
    { key: "routingKey", label: "Routing key", render: (m) => <Mono>{m.routingKey}</Mono> },
    { key: "messageType", label: "Type", render: (m) => m.messageType ?? "—" },
    {
      key: "error",
      label: "Error",
      render: (m) => (
        <Tooltip title={m.error}>
          <Typography
            variant="body2"
            sx={{ maxWidth: 280, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}
          >
            {m.error || "—"}
          </Typography>
        </Tooltip>
      ),
    },
    { key: "attempts", label: "Attempts", align: "right", render: (m) => m.attempts },
    {
      key: "details",
      label: "",
      align: "right",
      render: (m) => (
        <Button size="small" onClick={() => setSelected(m.id)} data-testid={`details-${m.id}`}>
          Details
        </Button>
      ),
    },
  ];

  return (
    <>
      <ResourceTable
        noun="failed messages"
        columns={columns}
        rowKey={(m) => m.id}
        controls={controls}
        result={result}
        toolbar={
          <Stack direction="row" spacing={1.5} useFlexGap sx={{ alignItems: "center", flexWrap: "wrap" }}>
            <SelectFilter<FailedMessageKindFilter>
              label="Kind"
              value={filters.kind}
              onChange={(kind) => filter({ kind })}
              all="All kinds"
              options={KIND_OPTIONS}
            />
            <SelectFilter<FailedMessageStateFilter>
              label="State"
              value={filters.state}
              onChange={(state) => filter({ state })}
              options={STATE_OPTIONS}
            />
            <FilterField
              key={`queue-${cleared}`}
              label="Queue"
              value={filters.queue}
              onApply={(queue) => filter({ queue })}
            />
            <FilterField
              key={`exchange-${cleared}`}
              label="Exchange"
              value={filters.exchange}
              onApply={(exchange) => filter({ exchange })}
            />
            <FilterField
              key={`routing-key-${cleared}`}
              label="Routing key"
              value={filters.routingKey}
              onApply={(routingKey) => filter({ routingKey })}
            />
            <FilterField
              key={`type-${cleared}`}
              label="Type"
              value={filters.messageType}
              onApply={(messageType) => filter({ messageType })}
            />
          </Stack>
        }
        filters={listFilters}
        empty={{
          icon: <MarkEmailReadOutlinedIcon />,
          title: "No failed messages",
          description:
            "Every message was delivered and handled. An outbox message the relay cannot publish after its last attempt, or a message a consumer gives up on, shows here for you to replay or discard.",
        }}
      />
      <FailedMessageDrawer id={selected} onClose={() => setSelected(null)} />
    </>
  );
}

/** An exact-match filter, applied on Enter or when the field loses focus (not on every keystroke). */
function FilterField({
  label,
  value,
  onApply,
}: {
  label: string;
  value: string;
  onApply: (value: string) => void;
}) {
  const [text, setText] = useState(value);
  const apply = () => {
    if (text.trim() !== value) onApply(text.trim());
  };
  return (
    <TextField
      size="small"
      label={label}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={apply}
      onKeyDown={(e) => {
        if (e.key === "Enter") apply();
      }}
      sx={{ width: 170 }}
      slotProps={{
        htmlInput: { maxLength: 255, "data-testid": `filter-${label.toLowerCase().replace(" ", "-")}` },
      }}
    />
  );
}
