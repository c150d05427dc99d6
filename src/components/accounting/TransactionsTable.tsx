"use client";

import ReceiptLongOutlinedIcon from "@mui/icons-material/ReceiptLongOutlined";
import Stack from "@mui/material/Stack";
import TextField from "@mui/material/TextField";
import Tooltip from "@mui/material/Tooltip";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { SelectFilter, useListFilters } from "@/components/list-filters";
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

const RULE_OPTIONS = RULES.map((rule) => ({ value: rule, label: ruleLabel(rule) }));

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
  const listFilters = useListFilters<Filters, Sort>(controls, NO_FILTERS);
  const { filters, filter } = listFilters;
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
  return (
    <ResourceTable
      noun="transactions"
      columns={columns}
      rowKey={(t) => t.sequence}
      controls={controls}
      result={result}
      toolbar={
        <Stack direction="row" spacing={1.5} useFlexGap sx={{ alignItems: "center", flexWrap: "wrap" }}>
          <SelectFilter
            label="Account"
            value={filters.account}
            onChange={(account) => filter({ account })}
            all="All accounts"
            options={(accounts.data ?? []).map((a) => ({ value: a.id, label: a.displayName }))}
            minWidth={200}
          />
          <SelectFilter
            label="Rule"
            value={filters.rule}
            onChange={(rule) => filter({ rule })}
            all="All rules"
            options={RULE_OPTIONS}
            minWidth={160}
          />
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
      filters={listFilters}
      empty={{
        icon: <ReceiptLongOutlinedIcon />,
        title: "No transactions yet",
        description:
          "Registration rewards, charges for running instances, earnings of clusters and dataset rewards appear here as the ledger records them.",
      }}
    />
  );
}
