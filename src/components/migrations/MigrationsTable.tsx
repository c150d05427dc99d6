"use client";

import SwapHorizIcon from "@mui/icons-material/SwapHoriz";
import Link from "@mui/material/Link";
import MenuItem from "@mui/material/MenuItem";
import Stack from "@mui/material/Stack";
import TextField from "@mui/material/TextField";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import NextLink from "next/link";
import { useState } from "react";
import { Mono, ResourceTable, useListControls, type Column } from "@/components/ResourceTable";
import { StatusChip } from "@/components/StatusChip";
import { Time } from "@/components/ui/Time";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { MIGRATION_LIST, migrationListInput, type MigrationSort } from "./list-query";
import { MigrationRoute } from "./MigrationRoute";
import { migrationReasonCell } from "./reason";
import {
  formatDuration,
  isActiveMigration,
  MIGRATION_LIVE_MS,
  MIGRATION_SETTLED_MS,
  MIGRATION_STATES,
  migrationDuration,
  shortMigrationId,
  type MigrationState,
} from "./steps";

type Row = RouterOutputs["migration"]["list"]["items"][number];
type Sort = MigrationSort;

/** Why the migration started (linked to the intent's report) and, if it did not complete, why not. */
function ReasonCell({ row }: { row: Row }) {
  const { trigger, failure } = migrationReasonCell(row);
  if (!trigger && !failure)
    return (
      <Typography variant="body2" component="span" color="text.secondary">
        —
      </Typography>
    );
  return (
    <Stack spacing={0.25} sx={{ maxWidth: 320 }}>
      {trigger && (
        <Typography variant="body2" data-testid="migration-trigger">
          {trigger.href ? (
            <Link component={NextLink} href={trigger.href} underline="hover">
              {trigger.text}
            </Link>
          ) : (
            trigger.text
          )}
        </Typography>
      )}
      {failure && (
        <Typography variant="body2" color="error" data-testid="migration-reason">
          {failure}
        </Typography>
      )}
    </Stack>
  );
}

/**
 * The Orchestration page's table: recent migrations, newest first, with
 * state and cluster filters and a search over instances (release name,
 * instance or migration id). It re-reads every 1.5 s while a listed
 * migration is in flight, every 10 s otherwise (intents start new ones).
 */
export function MigrationsTable({ seesAll }: { seesAll: boolean }) {
  const trpc = useTRPC();
  const controls = useListControls(MIGRATION_LIST);
  const [state, setState] = useState<MigrationState | "">("");
  const [cluster, setCluster] = useState("");
  const clusters = useQuery({ ...trpc.migration.clusters.queryOptions(), staleTime: 60_000 });
  const input = migrationListInput(controls.input, { state, cluster });
  const result = useQuery({
    ...trpc.migration.list.queryOptions(input),
    placeholderData: keepPreviousData,
    refetchInterval: (query) =>
      query.state.data?.items.some((m) => isActiveMigration(m.state))
        ? MIGRATION_LIVE_MS
        : MIGRATION_SETTLED_MS,
  });
  const now = result.dataUpdatedAt;

  const columns: Column<Row, Sort>[] = [
    {
      key: "id",
      label: "ID",
      render: (m) => (
        <Tooltip title={m.id}>
          <span>
            <Mono>{shortMigrationId(m.id)}</Mono>
          </span>
        </Tooltip>
      ),
    },
    {
      key: "instance",
      label: "Instance",
      render: (m) => (
        <Stack direction="row" spacing={1} sx={{ alignItems: "baseline" }}>
          <Link
            component={NextLink}
            href={`/instances/${m.instanceId}?tab=migrations`}
            underline="hover"
            sx={{ fontWeight: 600 }}
          >
            {m.releaseName}
          </Link>
          <Mono>{m.instanceShortId}</Mono>
        </Stack>
      ),
    },
    {
      key: "route",
      label: "Source → Target",
      sort: "sourceCluster",
      render: (m) => <MigrationRoute source={m.sourceCluster} target={m.targetCluster} />,
    },
    {
      key: "state",
      label: "State",
      sort: "state",
      render: (m) => (
        <span data-testid="migration-state">
          <StatusChip status={m.state} busy={isActiveMigration(m.state)} />
        </span>
      ),
    },
    {
      key: "reason",
      label: "Reason",
      render: (m) => <ReasonCell row={m} />,
    },
    {
      key: "createdAt",
      label: "Started",
      sort: "createdAt",
      render: (m) => <Time value={m.createdAt} style={{ whiteSpace: "nowrap" }} />,
    },
    {
      key: "duration",
      label: "Duration",
      align: "right",
      render: (m) => (
        <span style={{ whiteSpace: "nowrap" }}>{formatDuration(migrationDuration(m, now))}</span>
      ),
    },
  ];

  return (
    <ResourceTable
      noun="migrations"
      columns={columns}
      rowKey={(m) => m.id}
      controls={controls}
      result={result}
      toolbar={
        <Stack direction="row" spacing={1.5} sx={{ alignItems: "center" }}>
          <TextField
            select
            size="small"
            label="State"
            value={state}
            onChange={(e) => {
              setState(e.target.value as MigrationState | "");
              controls.setPage(1);
            }}
            sx={{ minWidth: 160 }}
            slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
          >
            <MenuItem value="">All states</MenuItem>
            {MIGRATION_STATES.map((s) => (
              <MenuItem key={s} value={s}>
                {s}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            size="small"
            label="Cluster"
            value={cluster}
            onChange={(e) => {
              setCluster(e.target.value);
              controls.setPage(1);
            }}
            sx={{ minWidth: 190 }}
            slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
          >
            <MenuItem value="">All clusters</MenuItem>
            {(clusters.data ?? []).map((name) => (
              <MenuItem key={name} value={name}>
                {name}
              </MenuItem>
            ))}
          </TextField>
        </Stack>
      }
      filters={{
        active: Boolean(state || cluster),
        clear: () => {
          setState("");
          setCluster("");
          controls.setPage(1);
        },
      }}
      empty={{
        icon: <SwapHorizIcon />,
        title: "No migrations yet",
        description: seesAll
          ? "When an intent is no longer met where its instance runs, the migration controller moves the instance to a compliant cluster. Every move, and every admin's Migrate now, shows here."
          : "When an intent of one of your instances is no longer met where it runs, the migration controller moves it to a compliant cluster. Those moves show here.",
      }}
    />
  );
}
