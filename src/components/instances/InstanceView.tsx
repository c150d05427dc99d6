"use client";

import AccountTreeOutlinedIcon from "@mui/icons-material/AccountTreeOutlined";
import AutoGraphIcon from "@mui/icons-material/AutoGraph";
import DeleteOutlineIcon from "@mui/icons-material/DeleteOutlineOutlined";
import DescriptionOutlinedIcon from "@mui/icons-material/DescriptionOutlined";
import InfoOutlinedIcon from "@mui/icons-material/InfoOutlined";
import SwapHorizIcon from "@mui/icons-material/SwapHoriz";
import TimelineIcon from "@mui/icons-material/Timeline";
import TrackChangesOutlinedIcon from "@mui/icons-material/TrackChangesOutlined";
import Alert from "@mui/material/Alert";
import AlertTitle from "@mui/material/AlertTitle";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import Link from "@mui/material/Link";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Tab from "@mui/material/Tab";
import PaymentsOutlinedIcon from "@mui/icons-material/PaymentsOutlined";
import Tabs from "@mui/material/Tabs";
import Typography from "@mui/material/Typography";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import NextLink from "next/link";
import { useEffect, useRef, useState, type ReactElement } from "react";
import { IntentStateChip, showsFulfilment } from "@/components/intents/IntentStateChip";
import { conditionText } from "@/components/intents/targets";
import { ButtonLink } from "@/components/links";
import { PageHeader } from "@/components/PageHeader";
import { Mono } from "@/components/ResourceTable";
import { StatusChip } from "@/components/StatusChip";
import { DefinitionList, Field } from "@/components/ui/DefinitionList";
import { Section } from "@/components/ui/Section";
import { Time } from "@/components/ui/Time";
import { isDeletable } from "@/common/instance-status";
import { errorStatus } from "@/trpc/query-client";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { InstanceActions, type ActionsInstance } from "./actions/InstanceActions";
import { DeleteInstanceDialog } from "./DeleteInstanceDialog";
import { InstanceDrift, InstanceDriftChip } from "./drift";
import { chipCarriesReason } from "./failure-reason";
import { PlacementPanel } from "./PlacementPanel";
import { renderOptionsLabel } from "./render-options";
import { isTransitional, LIVE_REFRESH_MS, SETTLED_REFRESH_MS } from "./status";
import { INSTANCE_TABS, type InstanceTab } from "./tabs";
import { IntentTypeName } from "@/components/intents/IntentTypeName";
import { intentTypeDisplayName } from "@/common/intent-catalogue";

type Instance = RouterOutputs["instance"]["get"];

/** A tab's content while its code loads (the first time it is opened). */
function TabLoading() {
  return <Skeleton variant="rounded" height={320} aria-label="Loading the view" />;
}

// The tabs other than the overview, and the migrate dialog, load when first opened: the overview is
// what most visits show, and together they would double the page's first-load JavaScript. A tab
// named by ?tab= is still rendered on the server, and its code comes with the page.
const InstanceTimeline = dynamic(() => import("./InstanceTimeline").then((m) => m.InstanceTimeline), {
  loading: TabLoading,
});
const InstanceMigrations = dynamic(
  () => import("@/components/migrations/InstanceMigrations").then((m) => m.InstanceMigrations),
  { loading: TabLoading },
);
const InstanceManifests = dynamic(() => import("./InstanceManifests").then((m) => m.InstanceManifests), {
  loading: TabLoading,
});
const InstanceCosts = dynamic(
  () => import("@/components/accounting/InstanceCosts").then((m) => m.InstanceCosts),
  {
    loading: TabLoading,
  },
);
const InstanceCfdrl = dynamic(() => import("@/components/cfdrl/InstanceCfdrl").then((m) => m.InstanceCfdrl), {
  loading: TabLoading,
});
const DeploymentTreeView = dynamic(() => import("./deployment-tree").then((m) => m.DeploymentTreeView), {
  loading: TabLoading,
});
const MigrateNowDialog = dynamic(
  () => import("@/components/migrations/MigrateNowDialog").then((m) => m.MigrateNowDialog),
  { ssr: false },
);

/** What the Retry / Upgrade / Scale actions need of the instance. */
function actionsOf(i: Instance): ActionsInstance {
  return {
    id: i.id,
    releaseName: i.releaseName,
    shortId: i.shortId,
    cluster: i.cluster?.name ?? null,
    valuesOverride: i.valuesOverride,
    canRevealSecrets: i.canRevealSecrets,
    status: i.status,
    statusReason: i.statusReason,
  };
}

const TAB_LABEL: Record<InstanceTab, { label: string; icon: ReactElement }> = {
  overview: { label: "Overview", icon: <InfoOutlinedIcon fontSize="small" /> },
  timeline: { label: "Timeline", icon: <TimelineIcon fontSize="small" /> },
  migrations: { label: "Migrations", icon: <SwapHorizIcon fontSize="small" /> },
  manifests: { label: "Manifests", icon: <DescriptionOutlinedIcon fontSize="small" /> },
  tree: { label: "Deployment tree", icon: <AccountTreeOutlinedIcon fontSize="small" /> },
  costs: { label: "Costs", icon: <PaymentsOutlinedIcon fontSize="small" /> },
  cfdrl: { label: "CFDRL", icon: <AutoGraphIcon fontSize="small" /> },
};

function Overview({ instance, onShowMigrations }: { instance: Instance; onShowMigrations: () => void }) {
  return (
    <Stack spacing={2.5}>
      <Stack direction={{ xs: "column", lg: "row" }} spacing={2.5}>
        <Paper variant="outlined" sx={{ p: 2.5, flex: 3 }} component="section" aria-label="Instance details">
          <DefinitionList testId="instance-details">
            <Field label="Status">
              <StatusChip
                status={instance.status}
                reason={
                  chipCarriesReason(instance.status, instance.statusReason) ? instance.statusReason : null
                }
                busy={isTransitional(instance.status)}
              />
            </Field>
            <Field label="Cluster">
              {instance.cluster?.name ?? (
                <Typography variant="body2" component="span" color="text.secondary">
                  Not placed
                </Typography>
              )}
            </Field>
            <Field label="Namespace">
              <Mono>{instance.namespace}</Mono>
            </Field>
            <Field label="Workload">
              <Link
                component={NextLink}
                href={`/instances?workload=${instance.workloadId}`}
                underline="hover"
              >
                {instance.workload.name} {instance.workload.version}
              </Link>{" "}
              <Typography variant="body2" component="span" color="text.secondary">
                (ID {instance.workloadId})
              </Typography>
            </Field>
            <Field label="Instance ID">
              <Mono title={instance.id}>{instance.shortId}</Mono>
            </Field>
            <Field label="Proposed cluster">
              {instance.proposedCluster
                ? `${instance.proposedCluster} (${instance.pinProposedCluster ? "pinned" : "preferred"})`
                : "None (orchestrator's choice)"}
            </Field>
            <Field label="Owner">{instance.owner.username}</Field>
            <Field label="Created">
              <Time value={instance.createdAt} />
            </Field>
            <Field label="Render options">{renderOptionsLabel(instance)}</Field>
          </DefinitionList>
          {instance.status === "FAILED" && instance.statusReason && (
            <Alert severity="error" sx={{ mt: 2 }} data-testid="instance-failure-reason">
              {instance.statusReason}
            </Alert>
          )}
        </Paper>
        <Section
          title="Intents attached"
          titleId="intents-attached"
          grow={2}
          actions={
            <Link
              component={NextLink}
              href={`/intents?instanceId=${instance.id}`}
              underline="hover"
              variant="body2"
              data-testid="instance-intents-link"
            >
              {instance.intents.length === 0 ? "Add an intent" : "Manage intents"}
            </Link>
          }
        >
          {instance.intents.length === 0 ? (
            <Typography variant="body2" color="text.secondary">
              None: placement used capacity, cost and green energy only.
            </Typography>
          ) : (
            <Stack spacing={1.5} data-testid="instance-intents">
              {instance.intents.map((intent) => (
                <Box key={intent.id}>
                  <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
                    <Link
                      component={NextLink}
                      href={`/intents?instanceId=${instance.id}&report=${intent.id}`}
                      underline="hover"
                      sx={{ fontWeight: 600 }}
                      aria-label={`${intentTypeDisplayName(intent.intentType)} intent report`}
                    >
                      <IntentTypeName type={intent.intentType} />
                    </Link>
                    <StatusChip status={intent.adminState} />
                    {showsFulfilment(intent) ? (
                      intent.lastFulfilment && <StatusChip status={intent.lastFulfilment} />
                    ) : (
                      <IntentStateChip intent={intent} />
                    )}
                  </Stack>
                  {intent.targets.map((t) => (
                    <Typography key={t.targetName} variant="body2" color="text.secondary">
                      {t.targetName} {conditionText(t.targetCondition)}{" "}
                      {Array.isArray(t.targetValue) ? t.targetValue.join("–") : String(t.targetValue)}
                    </Typography>
                  ))}
                  {(intent.validFrom || intent.validUntil) && (
                    <Typography variant="caption" color="text.secondary">
                      {intent.validFrom && (
                        <>
                          from <Time value={intent.validFrom} />{" "}
                        </>
                      )}
                      {intent.validUntil && (
                        <>
                          until <Time value={intent.validUntil} />
                        </>
                      )}
                    </Typography>
                  )}
                </Box>
              ))}
            </Stack>
          )}
        </Section>
      </Stack>
      <PlacementPanel
        instanceId={instance.id}
        status={instance.status}
        statusReason={instance.status === "FAILED" ? instance.statusReason : null}
        currentCluster={instance.cluster?.name ?? null}
        onShowMigrations={onShowMigrations}
      />
    </Stack>
  );
}

/**
 * One workload instance: its status, where it runs and why, its lifecycle,
 * its manifests and its live resource tree. The instance is re-read while
 * the orchestrator works on it; a status change refreshes the views that
 * depend on it.
 */
export function InstanceView({
  id,
  initialTab,
  canMigrate = false,
}: {
  id: string;
  initialTab: InstanceTab;
  /** An admin: may move a deployed instance to another cluster ("Migrate now"). */
  canMigrate?: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [tab, setTab] = useState<InstanceTab>(initialTab);
  const [deleting, setDeleting] = useState(false);
  const [migrating, setMigrating] = useState(false);
  // The migrate dialog's code is fetched on the first "Migrate now"; it then stays mounted so it can close.
  const [migrateOpened, setMigrateOpened] = useState(false);
  const instance = useQuery({
    ...trpc.instance.get.queryOptions({ id }),
    // A settled instance can still be migrated or scaled: keep an eye on it, less often —
    // unless an active intent is not (yet) met, which is what starts a migration.
    refetchInterval: (query) => {
      const current = query.state.data;
      if (!current || current.status === "DELETED") return false;
      const unmet = current.intents.some(
        (intent) => intent.adminState === "ACTIVATED" && intent.lastFulfilment !== "FULFILLED",
      );
      return isTransitional(current.status) || unmet ? LIVE_REFRESH_MS : SETTLED_REFRESH_MS;
    },
  });

  // Placement, timeline and tree change with the status: refresh them when it moves.
  const status = instance.data?.status;
  const seen = useRef(status);
  useEffect(() => {
    if (status === undefined || seen.current === status) return;
    seen.current = status;
    for (const key of [
      trpc.instance.placement.queryKey({ id }),
      trpc.instance.timeline.queryKey({ id }),
      trpc.instance.tree.queryKey({ id }),
      trpc.migration.forInstance.queryKey({ instanceId: id }),
    ]) {
      void queryClient.invalidateQueries({ queryKey: key });
    }
  }, [status, id, queryClient, trpc]);

  const chooseTab = (next: InstanceTab) => {
    setTab(next);
    // Keep the tab in the URL (shareable, and Back returns to it) without a navigation.
    const url = new URL(window.location.href);
    if (next === "overview") url.searchParams.delete("tab");
    else url.searchParams.set("tab", next);
    window.history.replaceState(window.history.state, "", url);
  };

  const trail = [{ href: "/instances", label: "Workload Instances" }];
  if (instance.isPending) {
    return (
      <>
        <PageHeader title="Instance" trail={trail} />
        <Skeleton variant="rounded" height={48} sx={{ mb: 2 }} />
        <Skeleton variant="rounded" height={280} />
      </>
    );
  }
  if (instance.error) {
    const notFound = errorStatus(instance.error) === 404;
    return (
      <>
        <PageHeader title="Instance" trail={trail} />
        <Alert
          severity="error"
          action={
            notFound ? undefined : (
              <Button color="inherit" size="small" onClick={() => void instance.refetch()}>
                Retry
              </Button>
            )
          }
        >
          <AlertTitle>{notFound ? "Instance not found" : "Couldn't load the instance"}</AlertTitle>
          {notFound
            ? "There is no such workload instance, or it is not yours to see."
            : instance.error.message}
          <Box sx={{ mt: 1.5 }}>
            <ButtonLink href="/instances" variant="outlined" size="small">
              Back to Workload Instances
            </ButtonLink>
          </Box>
        </Alert>
      </>
    );
  }

  const i = instance.data;
  const deletable = isDeletable(i.status);
  return (
    <>
      <PageHeader
        title={i.releaseName}
        trail={trail}
        actions={
          <Stack direction="row" spacing={1.5} sx={{ alignItems: "center" }}>
            <Chip
              label={i.shortId}
              variant="outlined"
              size="small"
              sx={{ fontFamily: "ui-monospace, monospace" }}
            />
            <span data-testid="instance-status">
              <StatusChip status={i.status} reason={i.statusReason} busy={isTransitional(i.status)} />
            </span>
            <InstanceDriftChip instanceId={i.id} status={i.status} />
            <InstanceActions instance={actionsOf(i)} />
            <ButtonLink
              href={`/intents?instanceId=${i.id}`}
              variant="outlined"
              startIcon={<TrackChangesOutlinedIcon />}
            >
              Intents
            </ButtonLink>
            {canMigrate && i.status === "DEPLOYED" && (
              <Button
                variant="outlined"
                startIcon={<SwapHorizIcon />}
                onClick={() => {
                  setMigrateOpened(true);
                  setMigrating(true);
                }}
              >
                Migrate now
              </Button>
            )}
            <Button
              color="error"
              variant="outlined"
              startIcon={<DeleteOutlineIcon />}
              disabled={!deletable}
              onClick={() => setDeleting(true)}
            >
              Delete
            </Button>
          </Stack>
        }
        description={`Instance of ${i.workload.name} ${i.workload.version}${i.cluster ? ` on ${i.cluster.name}` : ""}, namespace ${i.namespace}.`}
      />
      <Box sx={{ borderBottom: 1, borderColor: "divider", mb: 2.5 }}>
        {/* Seven views: on a narrow window the row scrolls rather than widening the page. */}
        <Tabs
          value={tab}
          onChange={(_, next: InstanceTab) => chooseTab(next)}
          aria-label="Instance views"
          variant="scrollable"
          scrollButtons="auto"
        >
          {INSTANCE_TABS.map((t) => (
            <Tab
              key={t}
              value={t}
              label={TAB_LABEL[t].label}
              icon={TAB_LABEL[t].icon}
              iconPosition="start"
              id={`instance-tab-${t}`}
              aria-controls={`instance-panel-${t}`}
              sx={{ minHeight: 48 }}
            />
          ))}
        </Tabs>
      </Box>
      <Box role="tabpanel" id={`instance-panel-${tab}`} aria-labelledby={`instance-tab-${tab}`}>
        {tab === "overview" && <Overview instance={i} onShowMigrations={() => chooseTab("migrations")} />}
        {tab === "overview" && (
          <InstanceDrift instanceId={i.id} releaseName={i.releaseName} status={i.status} />
        )}
        {tab === "timeline" && <InstanceTimeline instanceId={i.id} status={i.status} />}
        {tab === "migrations" && <InstanceMigrations instanceId={i.id} status={i.status} />}
        {tab === "manifests" && <InstanceManifests instance={i} />}
        {tab === "costs" && <InstanceCosts instanceId={i.id} />}
        {tab === "cfdrl" && <InstanceCfdrl instanceId={i.id} />}
        {tab === "tree" && (
          <DeploymentTreeView
            instanceId={i.id}
            releaseName={i.releaseName}
            status={i.status}
            statusReason={i.statusReason}
          />
        )}
      </Box>
      <DeleteInstanceDialog
        instance={
          deleting
            ? { id: i.id, releaseName: i.releaseName, shortId: i.shortId, cluster: i.cluster?.name ?? null }
            : null
        }
        onClose={() => setDeleting(false)}
      />
      {migrateOpened && (
        <MigrateNowDialog
          instance={
            migrating
              ? { id: i.id, releaseName: i.releaseName, shortId: i.shortId, cluster: i.cluster?.name ?? null }
              : null
          }
          onClose={() => setMigrating(false)}
          // Follow the move where its steps show.
          onRequested={() => chooseTab("migrations")}
        />
      )}
    </>
  );
}
