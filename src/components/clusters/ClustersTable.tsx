"use client";

import AddIcon from "@mui/icons-material/Add";
import DeleteOutlinedIcon from "@mui/icons-material/DeleteOutlined";
import DnsOutlinedIcon from "@mui/icons-material/DnsOutlined";
import ShowChartIcon from "@mui/icons-material/ShowChart";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import IconButton from "@mui/material/IconButton";
import Stack from "@mui/material/Stack";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import NextLink from "next/link";
import { useState } from "react";
import { DeregisterClusterDialog } from "@/components/clusters/DeregisterClusterDialog";
import { TextLink } from "@/components/links";
import { Mono, ResourceTable, useListControls, type Column } from "@/components/ResourceTable";
import { StatusChip } from "@/components/StatusChip";
import { ShowInactiveSwitch, useShowInactive } from "@/components/show-inactive";
import { showInactiveInput } from "@/components/show-inactive-param";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { CLUSTER_LIST, type ClusterSort } from "./list-query";
import { Withheld } from "./Withheld";

/** The register dialog (with its kubeconfig parser) loads when first opened, not with the list. */
const RegisterClusterDialog = dynamic(
  () => import("@/components/clusters/RegisterClusterDialog").then((m) => m.RegisterClusterDialog),
  { ssr: false },
);

type Row = RouterOutputs["cluster"]["list"]["items"][number];
type Sort = ClusterSort;

/** While a cluster waits for the Meta-Orchestrator's answer, the table asks again this often. */
const PENDING_POLL_MS = 2_000;

const gb = (value: number) => `${value.toLocaleString("en")} GB`;

const metricsHref = (c: Row) => `/clusters/${c.id}/metrics`;

const percent = (value: number) => `${value.toLocaleString("en", { maximumFractionDigits: 2 })} %`;

/** The cost classes as people say them. */
export const COST_LABELS: Record<Row["cost"], string> = {
  low_cost: "Low cost",
  high_performance: "High performance",
};

function Muted({ children }: { children: string }) {
  return (
    <Typography variant="body2" component="span" color="text.secondary">
      {children}
    </Typography>
  );
}

/**
 * What intents are judged against (availability, green energy, cost class)
 * and where the cluster is come first; capacity, endpoint, owner and id make
 * way on narrower screens (`hideBelow`), and the region moves under the
 * name, so the table fits 1024 px beside the side navigation.
 */
const BASE_COLUMNS: Column<Row, Sort>[] = [
  {
    key: "id",
    label: "ID",
    sort: "id",
    hideBelow: "xl",
    render: (c) => <Mono title={c.id}>{c.shortId}</Mono>,
  },
  {
    key: "name",
    label: "Name",
    sort: "name",
    render: (c) => (
      <>
        <TextLink href={metricsHref(c)} underline="hover" color="inherit" sx={{ fontWeight: 600 }}>
          {c.name}
        </TextLink>
        {/* Below lg the Region column makes way: the region goes under the name. */}
        {c.region && (
          <Typography
            variant="caption"
            color="text.secondary"
            data-testid="region-caption"
            sx={{ display: { xs: "block", lg: "none" } }}
          >
            {c.region}
          </Typography>
        )}
      </>
    ),
  },
  {
    key: "status",
    label: "Status",
    sort: "status",
    render: (c) => (
      <Stack direction="row" spacing={0.5} sx={{ alignItems: "center", flexWrap: "wrap", rowGap: 0.5 }}>
        <StatusChip
          status={c.status}
          busy={c.status === "PENDING"}
          reason={
            c.status === "PENDING" ? "Waiting for the Meta-Orchestrator to join the cluster." : c.statusReason
          }
        />
        {c.cordoned && (
          <Tooltip title="Drained: it takes no new placements until it is uncordoned.">
            <Chip
              size="small"
              color="warning"
              variant="outlined"
              label="Cordoned"
              data-testid="cordoned-chip"
            />
          </Tooltip>
        )}
      </Stack>
    ),
  },
  {
    key: "region",
    label: "Region",
    sort: "region",
    hideBelow: "lg",
    render: (c) => c.region ?? <Muted>—</Muted>,
  },
  {
    key: "availability",
    label: "Availability",
    sort: "availability",
    align: "right",
    render: (c) => percent(c.availabilityPct),
  },
  {
    key: "greenEnergy",
    label: "Green energy",
    sort: "greenEnergy",
    align: "right",
    render: (c) => percent(c.greenEnergyPct),
  },
  { key: "cost", label: "Cost class", sort: "cost", render: (c) => COST_LABELS[c.cost] },
  {
    key: "endpoint",
    label: "Endpoint",
    sort: "endpoint",
    hideBelow: "xl",
    render: (c) => (c.withheld ? <Withheld /> : <Mono>{c.managedApi}</Mono>),
  },
  { key: "cpus", label: "CPUs", sort: "cpus", align: "right", hideBelow: "lg", render: (c) => c.cpus },
  {
    key: "memory",
    label: "Memory",
    sort: "memoryGb",
    align: "right",
    hideBelow: "lg",
    render: (c) => gb(c.memoryGb),
  },
  {
    key: "storage",
    label: "Storage",
    sort: "storageGb",
    align: "right",
    hideBelow: "xl",
    render: (c) => gb(c.storageGb),
  },
  {
    key: "vram",
    label: "VRAM",
    sort: "vramGb",
    align: "right",
    hideBelow: "xl",
    render: (c) => gb(c.vramGb),
  },
  { key: "owner", label: "Owner", sort: "owner", hideBelow: "lg", render: (c) => c.owner },
];

export function ClustersTable({ readOnly }: { readOnly: boolean }) {
  const trpc = useTRPC();
  const controls = useListControls(CLUSTER_LIST);
  const [showInactive, setShowInactive] = useShowInactive();
  const result = useQuery({
    ...trpc.cluster.list.queryOptions({ ...controls.input, ...showInactiveInput(showInactive) }),
    placeholderData: keepPreviousData,
    // A new cluster shows PENDING until the MO answers: follow it without a reload.
    refetchInterval: (query) =>
      query.state.data?.items.some((c) => c.status === "PENDING") ? PENDING_POLL_MS : false,
  });
  const [registering, setRegistering] = useState(false);
  // Mounted from the first opening on, so closing it still plays the dialog's exit transition.
  const [registerMounted, setRegisterMounted] = useState(false);
  if (registering && !registerMounted) setRegisterMounted(true);
  const [deregistering, setDeregistering] = useState<Row | null>(null);

  const columns: Column<Row, Sort>[] = [
    ...BASE_COLUMNS,
    {
      key: "actions",
      label: "Actions",
      align: "right",
      render: (c) => (
        <Stack direction="row" spacing={0.5} sx={{ justifyContent: "flex-end" }}>
          <Tooltip title="Metrics">
            <IconButton
              component={NextLink}
              href={metricsHref(c)}
              size="small"
              aria-label={`Metrics of ${c.name}`}
            >
              <ShowChartIcon fontSize="small" />
            </IconButton>
          </Tooltip>
          {!readOnly && (
            <Tooltip title={c.status === "DEREGISTERED" ? "Already deregistered" : "Deregister"}>
              {/* A span keeps the tooltip working on a disabled button. */}
              <span>
                <IconButton
                  size="small"
                  aria-label={`Deregister ${c.name}`}
                  disabled={c.status === "DEREGISTERED"}
                  onClick={() => setDeregistering(c)}
                >
                  <DeleteOutlinedIcon fontSize="small" />
                </IconButton>
              </span>
            </Tooltip>
          )}
        </Stack>
      ),
    },
  ];

  return (
    <>
      <ResourceTable
        noun="clusters"
        columns={columns}
        rowKey={(c) => c.id}
        controls={controls}
        result={result}
        toolbar={
          <Stack direction="row" spacing={2} sx={{ alignItems: "center" }}>
            <ShowInactiveSwitch
              checked={showInactive}
              what="deregistered clusters"
              onChange={(value) => {
                setShowInactive(value);
                controls.setPage(1);
              }}
            />
            {!readOnly && (
              <Button variant="contained" startIcon={<AddIcon />} onClick={() => setRegistering(true)}>
                Register Cluster
              </Button>
            )}
          </Stack>
        }
        empty={{
          icon: <DnsOutlinedIcon />,
          title: "No clusters registered yet",
          description: readOnly
            ? "Infrastructure providers have not registered any cluster yet. Clusters will appear here once they join the continuum."
            : "Register a Kubernetes cluster with its capacity, availability and pricing, and follow it here as it joins the continuum.",
        }}
      />
      {!readOnly && (
        <>
          {registerMounted && (
            <RegisterClusterDialog
              open={registering}
              onClose={() => setRegistering(false)}
              onRegistered={() => setRegistering(false)}
            />
          )}
          <DeregisterClusterDialog
            cluster={deregistering}
            onClose={() => setDeregistering(null)}
            onDeregistered={() => setDeregistering(null)}
          />
        </>
      )}
    </>
  );
}
