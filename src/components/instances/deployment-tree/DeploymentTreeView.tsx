"use client";

import AccountTreeOutlinedIcon from "@mui/icons-material/AccountTreeOutlined";
import DescriptionOutlinedIcon from "@mui/icons-material/DescriptionOutlined";
import Alert from "@mui/material/Alert";
import AlertTitle from "@mui/material/AlertTitle";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode } from "react";
import { Time } from "@/components/ui/Time";
import { useTRPC } from "@/trpc/react";
import { isTransitional, TREE_REFRESH_MS, type InstanceStatus } from "../status";
import { CARD_W, CARD_H } from "./model";
import { HealthDot } from "./NodeCard";
import { TreeCanvas } from "./TreeCanvas";

function Empty({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper variant="outlined" sx={{ p: 6, textAlign: "center" }} data-testid="tree-empty">
      <AccountTreeOutlinedIcon color="primary" sx={{ fontSize: 48 }} aria-hidden="true" />
      <Typography variant="h3" component="p" sx={{ my: 1 }}>
        {title}
      </Typography>
      <Typography color="text.secondary">{children}</Typography>
    </Paper>
  );
}

/**
 * The instance's resources on its cluster, in the manner of Argo CD's
 * resource tree, re-read every few seconds (pods come and go, restarts and
 * traffic change). A resource opens its detail panel on click or Enter.
 */
export function DeploymentTreeView({
  instanceId,
  releaseName,
  status,
  statusReason,
}: {
  instanceId: string;
  releaseName: string;
  status: InstanceStatus;
  statusReason: string | null;
}) {
  const trpc = useTRPC();
  const tree = useQuery({
    ...trpc.instance.tree.queryOptions({ id: instanceId }),
    refetchInterval: status === "DELETED" ? false : TREE_REFRESH_MS,
    staleTime: 0,
  });

  if (tree.isPending) {
    return (
      <Paper variant="outlined" sx={{ p: 2 }} aria-busy="true" aria-label="Loading the deployment tree">
        <Stack direction="row" spacing={8}>
          {[1, 2, 3].map((c) => (
            <Stack key={c} spacing={2}>
              {Array.from({ length: c }, (_, i) => (
                <Skeleton key={i} variant="rounded" width={CARD_W} height={CARD_H} />
              ))}
            </Stack>
          ))}
        </Stack>
      </Paper>
    );
  }
  if (tree.error) {
    return (
      <Alert
        severity="error"
        action={
          <Button color="inherit" size="small" onClick={() => void tree.refetch()}>
            Retry
          </Button>
        }
      >
        <AlertTitle>Couldn&apos;t read the deployment tree</AlertTitle>
        {tree.error.message}
      </Alert>
    );
  }
  const data = tree.data;
  if (!data) {
    if (status === "DELETED" || status === "DELETING") {
      return (
        <Empty title="No deployment tree">The instance was deleted; nothing of it runs on any cluster.</Empty>
      );
    }
    if (status === "FAILED") {
      return (
        <Empty title="Not deployed">{statusReason ?? "The instance failed before it was deployed."}</Empty>
      );
    }
    return (
      <Empty title="Not deployed yet">
        {isTransitional(status)
          ? "The Meta-Orchestrator is placing the instance; its resources appear here once it is deployed."
          : "The instance is not running on a cluster."}
      </Empty>
    );
  }
  const pods = data.nodes.filter((n) => n.kind === "Pod");
  return (
    <Paper variant="outlined" data-testid="deployment-tree" sx={{ minWidth: 0, maxWidth: "100%" }}>
      <Stack
        direction="row"
        spacing={2}
        useFlexGap
        sx={{
          alignItems: "center",
          flexWrap: "wrap",
          px: 2,
          py: 1.25,
          borderBottom: 1,
          borderColor: "divider",
        }}
      >
        <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
          <HealthDot status={data.health.status} />
          <Typography sx={{ fontWeight: 600 }}>{data.health.status}</Typography>
        </Stack>
        <Typography variant="body2" color="text.secondary">
          {data.nodes.length} resources · {pods.length} {pods.length === 1 ? "pod" : "pods"} on {data.cluster}
        </Typography>
        <Box sx={{ flexGrow: 1 }} />
        <Typography variant="caption" color="text.secondary" aria-live="polite">
          Observed <Time value={data.observedAt} format="time" /> · refreshes every {TREE_REFRESH_MS / 1000} s
        </Typography>
      </Stack>
      {!data.reachable && (
        <Alert severity="warning" sx={{ m: 2 }}>
          {data.cluster} did not answer: these are the last known resources, with unknown health.
        </Alert>
      )}
      {data.nodes.length === 0 ? (
        <Box sx={{ p: 4, textAlign: "center" }}>
          <DescriptionOutlinedIcon color="disabled" aria-hidden="true" />
          <Typography color="text.secondary">The namespace {data.namespace} holds no resources.</Typography>
        </Box>
      ) : (
        <TreeCanvas tree={data} releaseName={releaseName} instanceId={instanceId} />
      )}
    </Paper>
  );
}
