"use client";

import ReceiptLongOutlinedIcon from "@mui/icons-material/ReceiptLongOutlined";
import MenuItem from "@mui/material/MenuItem";
import Stack from "@mui/material/Stack";
import TextField from "@mui/material/TextField";
import Tooltip from "@mui/material/Tooltip";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { firstListState } from "@/components/list-input";
import { Mono, ResourceTable, useListControls, type Column } from "@/components/ResourceTable";
import { Time } from "@/components/ui/Time";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { RULES, ruleLabel, tokens } from "./tokens";

type Row = RouterOutputs["accounting"]["transactions"]["items"][number];
type Sort = "sequence" | "amount" | "createdAt";

interface Filters {
  account: string;
  rule: string;
  /** yyyy-mm-dd from the date inputs; "" = open. */
  from: string;
  to: string;
}
const NO_FILTERS: Filters = { account: "", rule: "", from: "", to: "" };

/** A yyyy-mm-dd date input as the start of that day, local time. */
function dayStart(text: string, plusDays = 0): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const date = new Date(`${text}T00:00:00`);
  date.setDate(date.getDate() + plusDays);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * The caller's ledger transactions, newest first, filtered and paged on the
 * server: by account (a workload or cluster), rule and period.
 */
export function TransactionsTable() {
  const trpc = useTRPC();
  const controls = useListControls(firstListState<Sort>("sequence", "desc"));
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const accounts = useQuery(trpc.accounting.accounts.queryOptions());
  const from = dayStart(filters.from);
  const to = dayStart(filters.to, 1);
  const result = useQuery({
    ...trpc.accounting.transactions.queryOptions({
      ...controls.input,
      ...(filters.account ? { account: filters.account } : {}),
      ...(filters.rule ? { rule: filters.rule } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    }),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
  const filter = (patch: Partial<Filters>) => {
    setFilters((current) => ({ ...current, ...patch }));
    controls.setPage(1);
  };
  const columns: Column<Row, Sort>[] = [
    { key: "sequence", label: "#", sort: "sequence", render: (t) => <Mono>{t.sequence}</Mono> },
    {
      key: "createdAt",
      label: "Recorded",
      sort: "createdAt",
      render: (t) => <Time value={t.createdAt} style={{ whiteSpace: "nowrap" }} />,
    },
    { key: "rule", label: "Rule", render: (t) => ruleLabel(t.rule) },
    {
      key: "period",
      label: "Period",
      hideBelow: "md",
      render: (t) => (t.periodStart ? <Time value={t.periodStart} style={{ whiteSpace: "nowrap" }} /> : "—"),
    },
    { key: "from", label: "From", hideBelow: "lg", render: (t) => <Mono>{t.from}</Mono> },
    { key: "to", label: "To", hideBelow: "lg", render: (t) => <Mono>{t.to}</Mono> },
    {
      key: "amount",
      label: "Amount",
      sort: "amount",
      align: "right",
      render: (t) => (
        <Tooltip
          title={
            Object.entries(t.inputs)
              .map(([k, v]) => `${k}=${v}`)
              .join(", ") || t.reference
          }
        >
          <span data-testid="transaction-amount" style={{ whiteSpace: "nowrap" }}>
            {t.direction === "debit" ? "−" : t.direction === "credit" ? "+" : ""}
            {tokens(t.amount)}
          </span>
        </Tooltip>
      ),
    },
  ];
  const active = Object.values(filters).some((v) => v !== "");
  return (
    <ResourceTable
      noun="transactions"
      columns={columns}
      rowKey={(t) => t.sequence}
      controls={controls}
      result={result}
      toolbar={
        <Stack direction="row" spacing={1.5} useFlexGap sx={{ alignItems: "center", flexWrap: "wrap" }}>
          <TextField
            select
            size="small"
            label="Account"
            value={filters.account}
            onChange={(e) => filter({ account: e.target.value })}
            sx={{ minWidth: 200 }}
            slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
          >
            <MenuItem value="">All accounts</MenuItem>
            {(accounts.data ?? []).map((a) => (
              <MenuItem key={a.id} value={a.id}>
                {a.displayName}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            size="small"
            label="Rule"
            value={filters.rule}
            onChange={(e) => filter({ rule: e.target.value })}
            sx={{ minWidth: 160 }}
            slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
          >
            <MenuItem value="">All rules</MenuItem>
            {RULES.map((rule) => (
              <MenuItem key={rule} value={rule}>
                {ruleLabel(rule)}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            type="date"
            size="small"
            label="Period from"
            value={filters.from}
            onChange={(e) => filter({ from: e.target.value })}
            slotProps={{ inputLabel: { shrink: true } }}
          />
          <TextField
            type="date"
            size="small"
            label="Period to"
            value={filters.to}
            onChange={(e) => filter({ to: e.target.value })}
            slotProps={{ inputLabel: { shrink: true } }}
          />
        </Stack>
      }
      filters={{
        active,
        clear: () => {
          setFilters(NO_FILTERS);
          controls.setPage(1);
        },
      }}
      empty={{
        icon: <ReceiptLongOutlinedIcon />,
        title: "No transactions yet",
        description:
          "Registration rewards, charges for running instances, earnings of clusters and dataset rewards appear here as the ledger records them.",
      }}
    />
  );
}
