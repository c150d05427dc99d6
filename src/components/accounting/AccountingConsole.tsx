"use client";

import Button from "@mui/material/Button";
import Stack from "@mui/material/Stack";
import NextLink from "next/link";
import { hasRole, Role } from "@/common/roles";
import { Section } from "@/components/ui/Section";
import { AccountingCharts } from "./AccountingCharts";
import { AccountsPanel } from "./AccountsPanel";
import { BillingRunsPanel } from "./BillingRunsPanel";
import { ChargePerGbForm } from "./ChargePerGbForm";
import { CostViewPanel } from "./CostViewPanel";
import { IdleCapacityPanel } from "./IdleCapacityPanel";
import { GreenRewardsEditor } from "./GreenRewardsEditor";
import { LedgerPanel } from "./LedgerPanel";
import { RegionsTable } from "./RegionsTable";
import { TransactionsTable } from "./TransactionsTable";

/**
 * The Accounting page: what each role holds and how it moves. Service
 * providers see their workloads' balances and charges, infrastructure
 * providers their clusters' earnings, admins every account, the pricing
 * tables, billing runs and ledger verification.
 */
export function AccountingConsole({ roles }: { roles: readonly Role[] }) {
  const admin = hasRole(roles, Role.NEMO_ADMIN);
  const infraOnly =
    hasRole(roles, Role.INFRASTRUCTURE_PROVIDER) && !hasRole(roles, Role.SERVICE_PROVIDER) && !admin;
  return (
    <Stack spacing={2}>
      <Stack direction="row" spacing={1}>
        <Button component={NextLink} href="/accounting/datasets" variant="outlined">
          Datasets
        </Button>
      </Stack>
      <AccountsPanel
        title={admin ? "Every account" : infraOnly ? "Earnings per cluster" : "Balance per workload"}
      />
      <CostViewPanel />
      {admin || hasRole(roles, Role.INFRASTRUCTURE_PROVIDER) ? <IdleCapacityPanel /> : null}
      <Section title="Transactions" testId="transactions" plain>
        <TransactionsTable />
      </Section>
      {/* Below the transactions, so that its figures (recharts) load when scrolled to, not with the page. */}
      <AccountingCharts flow={infraOnly ? "credits" : "debits"} />
      {admin ? (
        <>
          <LedgerPanel />
          <BillingRunsPanel />
          <RegionsTable canEdit />
          <GreenRewardsEditor canEdit />
          <ChargePerGbForm canEdit />
        </>
      ) : null}
    </Stack>
  );
}
