"use client";

import ExpandMoreIcon from "@mui/icons-material/ExpandMore";
import SwapHorizIcon from "@mui/icons-material/SwapHoriz";
import Accordion from "@mui/material/Accordion";
import AccordionDetails from "@mui/material/AccordionDetails";
import AccordionSummary from "@mui/material/AccordionSummary";
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Link from "@mui/material/Link";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import NextLink from "next/link";
import { useEffect, useRef } from "react";
import { isTransitional, type InstanceStatus } from "@/components/instances/status";
import { Mono } from "@/components/ResourceTable";
import { StatusChip } from "@/components/StatusChip";
import { Time } from "@/components/ui/Time";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { HIDDEN_CLUSTER_LABEL } from "@/common/migration-status";
import { MigrationRoute } from "./MigrationRoute";
import { MigrationSteps } from "./MigrationSteps";
import { migrationReasonCell } from "./reason";
import {
  formatDuration,
  isActiveMigration,
  MIGRATION_LIVE_MS,
  MIGRATION_SETTLED_MS,
  migrationDuration,
  shortMigrationId,
} from "./steps";

type Migration = RouterOutputs["migration"]["forInstance"][number];

function MigrationCard({
  migration,
  now,
  expanded,
}: {
  migration: Migration;
  now: number;
  expanded: boolean;
}) {
  const state = migration.state;
  const active = isActiveMigration(state);
  const failed = state === "FAILED" || state === "ROLLED_BACK";
  const summaryId = `migration-${migration.id}`;
  const { trigger } = migrationReasonCell(migration);
  return (
    <Accordion
      defaultExpanded={expanded}
      disableGutters
      variant="outlined"
      data-testid="migration"
      data-state={state}
      sx={{ "&::before": { display: "none" } }}
      slotProps={{ transition: { unmountOnExit: true } }}
    >
      <AccordionSummary expandIcon={<ExpandMoreIcon />} id={summaryId} aria-controls={`${summaryId}-steps`}>
        <Stack
          direction={{ xs: "column", md: "row" }}
          spacing={{ xs: 0.5, md: 2 }}
          sx={{ alignItems: { md: "center" }, flexGrow: 1, pr: 1 }}
        >
          <Typography component="span" sx={{ fontWeight: 600 }} data-testid="migration-route">
            <MigrationRoute source={migration.sourceCluster} target={migration.targetCluster} />
          </Typography>
          <StatusChip status={state} busy={active} />
          <Box sx={{ flexGrow: 1 }} />
          <Typography variant="body2" color="text.secondary" component="span">
            <Time value={migration.createdAt} />
            {" · "}
            <span data-testid="migration-duration">
              {active ? "running for " : "took "}
              {formatDuration(migrationDuration(migration, now))}
            </span>
          </Typography>
        </Stack>
      </AccordionSummary>
      <AccordionDetails id={`${summaryId}-steps`} sx={{ pt: 0 }}>
        <Stack spacing={2}>
          {failed && (
            <Alert severity={state === "FAILED" ? "error" : "warning"} data-testid="migration-reason">
              {migration.reason ?? "The migration did not complete."}
              {state === "ROLLED_BACK" &&
                ` The instance stays on ${migration.sourceCluster ?? HIDDEN_CLUSTER_LABEL}.`}
            </Alert>
          )}
          <Typography variant="body2" color="text.secondary">
            Migration <Mono title={migration.id}>{shortMigrationId(migration.id)}</Mono>
            {trigger ? (
              <>
                {": "}
                {trigger.href ? (
                  <Link component={NextLink} href={trigger.href} underline="hover">
                    {trigger.text}
                  </Link>
                ) : (
                  trigger.text
                )}
              </>
            ) : migration.intentId ? (
              <>
                {", triggered by intent "}
                <Link
                  component={NextLink}
                  href={`/intents?instanceId=${migration.instanceId}&report=${migration.intentId}`}
                  underline="hover"
                >
                  {migration.intentId.slice(0, 7)}
                </Link>
              </>
            ) : (
              `, requested by ${migration.requestedBy ?? "an admin"}`
            )}
            {migration.backupName && (
              <>
                {"; backup "}
                <Mono>{migration.backupName}</Mono>
              </>
            )}
            .
          </Typography>
          <MigrationSteps migration={migration} now={now} />
        </Stack>
      </AccordionDetails>
    </Accordion>
  );
}

/**
 * The instance page's Migrations tab: every migration of the instance,
 * newest first, each with its steps. While one is in flight (or the instance
 * is MIGRATING) it re-reads every 1.5 s; otherwise it looks for a new one
 * every 10 s, since an intent can start a migration at any time. When a
 * migration moves on, the instance itself is re-read so the header follows.
 */
export function InstanceMigrations({ instanceId, status }: { instanceId: string; status: InstanceStatus }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const migrations = useQuery({
    ...trpc.migration.forInstance.queryOptions({ instanceId }),
    refetchInterval: (query) => {
      if (status === "DELETED") return false;
      const live =
        status === "MIGRATING" ||
        isTransitional(status) ||
        (query.state.data ?? []).some((m) => isActiveMigration(m.state));
      return live ? MIGRATION_LIVE_MS : MIGRATION_SETTLED_MS;
    },
  });

  // A migration starting or ending changes the instance (status, cluster): re-read it now.
  const signature = (migrations.data ?? []).map((m) => `${m.id}:${m.state}`).join(",");
  const seen = useRef<string | null>(null);
  useEffect(() => {
    if (migrations.data === undefined) return;
    if (seen.current !== null && seen.current !== signature) {
      void queryClient.invalidateQueries({ queryKey: trpc.instance.get.queryKey({ id: instanceId }) });
    }
    seen.current = signature;
  }, [signature, migrations.data, instanceId, queryClient, trpc]);

  if (migrations.isPending) {
    return <Skeleton variant="rounded" height={220} aria-label="Loading the migrations" />;
  }
  if (migrations.error) {
    return (
      <Alert
        severity="error"
        action={
          <Button color="inherit" size="small" onClick={() => void migrations.refetch()}>
            Retry
          </Button>
        }
      >
        {migrations.error.message}
      </Alert>
    );
  }
  if (migrations.data.length === 0) {
    return (
      <Paper variant="outlined" sx={{ p: 4 }}>
        <Stack
          spacing={1.5}
          sx={{ alignItems: "center", textAlign: "center" }}
          data-testid="migrations-empty"
        >
          <Box sx={{ color: "primary.light", "& svg": { fontSize: 48 } }} aria-hidden="true">
            <SwapHorizIcon />
          </Box>
          <Typography variant="h3" component="p">
            No migrations yet
          </Typography>
          <Typography color="text.secondary" sx={{ maxWidth: 520 }}>
            When an intent of this instance is no longer met where it runs, the migration controller moves it
            to a cluster that meets it: backup on the source, restore on the target. Each move shows here,
            step by step.
          </Typography>
        </Stack>
      </Paper>
    );
  }
  // "running for" is relative to when the list was read, which keeps rendering pure.
  const now = migrations.dataUpdatedAt;
  return (
    <Stack spacing={1.5} data-testid="migrations" aria-label="Migrations, newest first" component="section">
      {migrations.data.map((m, i) => (
        <MigrationCard key={m.id} migration={m} now={now} expanded={i === 0 || isActiveMigration(m.state)} />
      ))}
    </Stack>
  );
}
