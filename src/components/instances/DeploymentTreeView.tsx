"use client";

import AccountTreeOutlinedIcon from "@mui/icons-material/AccountTreeOutlined";
import CloseIcon from "@mui/icons-material/Close";
import DescriptionOutlinedIcon from "@mui/icons-material/DescriptionOutlined";
import DnsOutlinedIcon from "@mui/icons-material/DnsOutlined";
import HubOutlinedIcon from "@mui/icons-material/HubOutlined";
import KeyOutlinedIcon from "@mui/icons-material/KeyOutlined";
import LanOutlinedIcon from "@mui/icons-material/LanOutlined";
import LayersOutlinedIcon from "@mui/icons-material/LayersOutlined";
import PersonOutlineIcon from "@mui/icons-material/PersonOutlineOutlined";
import RocketLaunchOutlinedIcon from "@mui/icons-material/RocketLaunchOutlined";
import SettingsOutlinedIcon from "@mui/icons-material/SettingsOutlined";
import StorageOutlinedIcon from "@mui/icons-material/StorageOutlined";
import ViewInArOutlinedIcon from "@mui/icons-material/ViewInArOutlined";
import WidgetsOutlinedIcon from "@mui/icons-material/WidgetsOutlined";
import Alert from "@mui/material/Alert";
import AlertTitle from "@mui/material/AlertTitle";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import ButtonBase from "@mui/material/ButtonBase";
import Chip from "@mui/material/Chip";
import Divider from "@mui/material/Divider";
import Drawer from "@mui/material/Drawer";
import IconButton from "@mui/material/IconButton";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useId, useMemo, useState, type ReactElement, type ReactNode } from "react";
import { DefinitionList, Field } from "@/components/ui/DefinitionList";
import { Time } from "@/components/ui/Time";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { isTransitional, TREE_REFRESH_MS, type InstanceStatus } from "./status";
import { layoutTree, ROOT_ID } from "./tree-layout";

type Tree = NonNullable<RouterOutputs["instance"]["tree"]>;
type TreeNode = Tree["nodes"][number];
type HealthStatus = TreeNode["health"]["status"];

const CARD_W = 276;
const CARD_H = 118;
const COL_GAP = 64;
const ROW_GAP = 18;
const MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";

/** Argo CD's health colours. */
const HEALTH_COLOR: Record<HealthStatus, string> = {
  Healthy: "#18be94",
  Progressing: "#0dadea",
  Suspended: "#766f94",
  Missing: "#f4c030",
  Degraded: "#e96d76",
  Unknown: "#8fa4b1",
};

const KIND_ICON: Record<string, ReactElement> = {
  Deployment: <RocketLaunchOutlinedIcon fontSize="small" />,
  StatefulSet: <StorageOutlinedIcon fontSize="small" />,
  ReplicaSet: <LayersOutlinedIcon fontSize="small" />,
  Pod: <ViewInArOutlinedIcon fontSize="small" />,
  Service: <LanOutlinedIcon fontSize="small" />,
  Ingress: <HubOutlinedIcon fontSize="small" />,
  ServiceAccount: <PersonOutlineIcon fontSize="small" />,
  ConfigMap: <SettingsOutlinedIcon fontSize="small" />,
  Secret: <KeyOutlinedIcon fontSize="small" />,
  PersistentVolumeClaim: <DnsOutlinedIcon fontSize="small" />,
};

function kindIcon(kind: string): ReactElement {
  return KIND_ICON[kind] ?? <WidgetsOutlinedIcon fontSize="small" />;
}

function rate(bytesPerSecond: number): string {
  if (bytesPerSecond < 1024) return `${bytesPerSecond.toFixed(0)} B/s`;
  if (bytesPerSecond < 1024 * 1024) return `${(bytesPerSecond / 1024).toFixed(1)} KiB/s`;
  return `${(bytesPerSecond / (1024 * 1024)).toFixed(1)} MiB/s`;
}

function trafficText(traffic: NonNullable<TreeNode["traffic"]>): string {
  return `${traffic.requestsPerSecond.toFixed(1)} req/s · in ${rate(traffic.bytesIn)} · out ${rate(traffic.bytesOut)}`;
}

const shortUid = (uid: string) => uid.slice(0, 8);

/** Pod and ReplicaSet names differ only at the end: keep the end when a name is too long for the card. */
function middleEllipsis(name: string, max = 27): string {
  if (name.length <= max) return name;
  const head = Math.ceil((max - 1) / 3);
  return `${name.slice(0, head)}…${name.slice(name.length - (max - 1 - head))}`;
}

function HealthDot({ status }: { status: HealthStatus }) {
  return (
    <Box
      component="span"
      aria-hidden="true"
      sx={{ width: 9, height: 9, borderRadius: "50%", bgcolor: HEALTH_COLOR[status], flexShrink: 0 }}
    />
  );
}

function NodeCard({ node, onOpen }: { node: TreeNode; onOpen: (node: TreeNode) => void }) {
  const color = HEALTH_COLOR[node.health.status];
  return (
    <ButtonBase
      onClick={() => onOpen(node)}
      aria-label={`${node.kind} ${node.name}: ${node.status}, ${node.health.status}`}
      data-testid="tree-node"
      data-kind={node.kind}
      data-health={node.health.status}
      sx={{
        width: CARD_W,
        height: CARD_H,
        display: "block",
        textAlign: "left",
        bgcolor: "background.paper",
        border: 1,
        borderColor: "divider",
        borderLeft: `4px solid ${color}`,
        borderRadius: 1.5,
        boxShadow: "0 1px 2px rgba(23, 33, 43, 0.06)",
        px: 1.25,
        py: 1,
        "&:hover": { boxShadow: "0 2px 8px rgba(23, 33, 43, 0.16)" },
        "&.Mui-focusVisible": { outline: "2px solid", outlineColor: "primary.main", outlineOffset: 2 },
      }}
    >
      <Stack direction="row" spacing={1} sx={{ alignItems: "center", minWidth: 0 }}>
        <Box
          aria-hidden="true"
          sx={{
            width: 28,
            height: 28,
            borderRadius: "50%",
            display: "grid",
            placeItems: "center",
            color,
            bgcolor: `${color}1f`,
            flexShrink: 0,
          }}
        >
          {kindIcon(node.kind)}
        </Box>
        <Box sx={{ minWidth: 0 }}>
          <Typography variant="caption" color="text.secondary" sx={{ display: "block", lineHeight: 1.2 }}>
            {node.kind}
          </Typography>
          <Typography
            variant="body2"
            sx={{ fontWeight: 600, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}
            title={node.name}
          >
            {middleEllipsis(node.name)}
          </Typography>
        </Box>
      </Stack>
      <Typography
        variant="caption"
        color="text.secondary"
        sx={{ display: "block", fontFamily: MONO, fontSize: 11, mt: 0.5, whiteSpace: "nowrap" }}
      >
        uid {shortUid(node.uid)} · {node.cluster}
      </Typography>
      <Stack direction="row" spacing={0.75} sx={{ alignItems: "center", mt: 0.5 }}>
        <HealthDot status={node.health.status} />
        <Typography variant="caption" sx={{ fontWeight: 500 }}>
          {node.status}
        </Typography>
        {node.kind === "Pod" && (
          <Typography variant="caption" color={node.restarts > 0 ? "warning.main" : "text.secondary"}>
            · {node.restarts} {node.restarts === 1 ? "restart" : "restarts"}
          </Typography>
        )}
        {node.replicas && !node.status.includes(`${node.replicas.ready}/${node.replicas.desired}`) && (
          <Typography variant="caption" color="text.secondary">
            · {node.replicas.ready}/{node.replicas.desired} ready
          </Typography>
        )}
      </Stack>
      {node.traffic && (
        <Typography
          variant="caption"
          color="text.secondary"
          sx={{ display: "block", whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis" }}
          data-testid="node-traffic"
        >
          {trafficText(node.traffic)}
        </Typography>
      )}
    </ButtonBase>
  );
}

function RootCard({ tree, releaseName }: { tree: Tree; releaseName: string }) {
  const color = HEALTH_COLOR[tree.health.status];
  return (
    <Box
      sx={{
        width: CARD_W,
        height: CARD_H,
        bgcolor: "#f7f9fc",
        border: 1,
        borderColor: "divider",
        borderLeft: `4px solid ${color}`,
        borderRadius: 1.5,
        px: 1.25,
        py: 1,
      }}
      data-testid="tree-root"
    >
      <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
        <AccountTreeOutlinedIcon fontSize="small" sx={{ color }} aria-hidden="true" />
        <Box sx={{ minWidth: 0 }}>
          <Typography variant="caption" color="text.secondary" sx={{ display: "block", lineHeight: 1.2 }}>
            Instance
          </Typography>
          <Typography variant="body2" sx={{ fontWeight: 600 }}>
            {releaseName}
          </Typography>
        </Box>
      </Stack>
      <Typography
        variant="caption"
        color="text.secondary"
        sx={{ display: "block", fontFamily: MONO, fontSize: 11, mt: 0.5 }}
      >
        ns {tree.namespace}
      </Typography>
      <Typography variant="caption" color="text.secondary" sx={{ display: "block" }}>
        cluster {tree.cluster}
      </Typography>
      <Stack direction="row" spacing={0.75} sx={{ alignItems: "center", mt: 0.25 }}>
        <HealthDot status={tree.health.status} />
        <Typography variant="caption" sx={{ fontWeight: 500 }}>
          {tree.health.status}
        </Typography>
      </Stack>
    </Box>
  );
}

/** The detail panel of one resource: every field the driver reports. */
function NodeDrawer({ node, onClose }: { node: TreeNode | null; onClose: () => void }) {
  const titleId = useId();
  return (
    <Drawer
      anchor="right"
      open={node !== null}
      onClose={onClose}
      slotProps={{ paper: { sx: { width: { xs: "100%", sm: 440 } }, "aria-labelledby": titleId } }}
    >
      {node && (
        <Box sx={{ p: 2.5 }} data-testid="node-drawer">
          <Stack direction="row" sx={{ alignItems: "flex-start", mb: 1 }}>
            <Box sx={{ flexGrow: 1, minWidth: 0 }}>
              <Typography variant="overline" color="text.secondary">
                {node.kind}
              </Typography>
              <Typography id={titleId} variant="h3" component="h2" sx={{ wordBreak: "break-all" }}>
                {node.name}
              </Typography>
            </Box>
            <IconButton aria-label="Close" onClick={onClose}>
              <CloseIcon />
            </IconButton>
          </Stack>
          <Divider sx={{ mb: 1 }} />
          <DefinitionList layout="rows">
            <Field label="Status">
              <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
                <HealthDot status={node.health.status} />
                <span>
                  {node.status} · {node.health.status}
                </span>
              </Stack>
              {node.health.message && (
                <Typography variant="body2" color="text.secondary">
                  {node.health.message}
                </Typography>
              )}
            </Field>
            <Field label="Namespace">{node.namespace}</Field>
            <Field label="Cluster">{node.cluster}</Field>
            <Field label="Node">{node.nodeName ?? "—"}</Field>
            <Field label="UID">
              <Box component="span" sx={{ fontFamily: MONO, fontSize: 12.5 }}>
                {node.uid}
              </Box>
            </Field>
            <Field label="API version">{node.group ? `${node.group}/${node.version}` : node.version}</Field>
            {node.kind === "Pod" && <Field label="Restarts">{node.restarts}</Field>}
            {node.replicas && (
              <Field label="Replicas">
                {node.replicas.ready} ready of {node.replicas.desired} desired
              </Field>
            )}
            <Field label="Traffic">
              {node.traffic ? (
                <>
                  {node.traffic.requestsPerSecond.toFixed(2)} req/s
                  <br />
                  in {rate(node.traffic.bytesIn)} · out {rate(node.traffic.bytesOut)}
                </>
              ) : (
                "—"
              )}
            </Field>
            <Field label="Images">
              {node.images.length > 0
                ? node.images.map((image) => (
                    <Box key={image} sx={{ fontFamily: MONO, fontSize: 12.5 }}>
                      {image}
                    </Box>
                  ))
                : "—"}
            </Field>
            <Field label="Owners">
              {node.parentRefs.length > 0
                ? node.parentRefs.map((r) => `${r.kind}/${r.name}`).join(", ")
                : "—"}
            </Field>
            {node.targetRefs.length > 0 && (
              <Field label="Routes to">{node.targetRefs.map((r) => `${r.kind}/${r.name}`).join(", ")}</Field>
            )}
            <Field label="Created">
              <Time value={node.createdAt} />
            </Field>
            <Field label="Labels">
              {Object.keys(node.labels).length > 0 ? (
                <Stack direction="row" useFlexGap spacing={0.5} sx={{ flexWrap: "wrap" }}>
                  {Object.entries(node.labels).map(([k, v]) => (
                    <Chip
                      key={k}
                      size="small"
                      variant="outlined"
                      label={`${k}=${v}`}
                      sx={{
                        fontFamily: MONO,
                        fontSize: 11,
                        height: "auto",
                        "& .MuiChip-label": { whiteSpace: "normal", wordBreak: "break-all", py: 0.25 },
                      }}
                    />
                  ))}
                </Stack>
              ) : (
                "—"
              )}
            </Field>
          </DefinitionList>
        </Box>
      )}
    </Drawer>
  );
}

function TreeCanvas({ tree, releaseName }: { tree: Tree; releaseName: string }) {
  const [open, setOpen] = useState<TreeNode | null>(null);
  const layout = useMemo(() => layoutTree(tree.nodes), [tree.nodes]);
  const rootRow = useMemo(() => {
    const tops = layout.placed.filter((p) => p.column === 1).map((p) => p.row);
    return tops.length > 0 ? (Math.min(...tops) + Math.max(...tops)) / 2 : 0;
  }, [layout]);
  const x = (column: number) => column * (CARD_W + COL_GAP);
  const y = (row: number) => row * (CARD_H + ROW_GAP);
  const position = new Map<string, { column: number; row: number }>([[ROOT_ID, { column: 0, row: rootRow }]]);
  for (const p of layout.placed) position.set(p.node.uid, { column: p.column, row: p.row });
  const width = x(layout.columns) - COL_GAP;
  const height = y(layout.rows) - ROW_GAP;

  return (
    <>
      <Box sx={{ overflow: "auto", p: 2 }} role="group" aria-label="Resource tree">
        <Box sx={{ position: "relative", width, height, minHeight: CARD_H }}>
          <Box
            component="svg"
            width={width}
            height={height}
            aria-hidden="true"
            sx={{ position: "absolute", inset: 0, overflow: "visible" }}
          >
            {layout.edges.map(({ from, to }) => {
              const a = position.get(from);
              const b = position.get(to);
              if (!a || !b) return null;
              const x1 = x(a.column) + CARD_W;
              const y1 = y(a.row) + CARD_H / 2;
              const x2 = x(b.column);
              const y2 = y(b.row) + CARD_H / 2;
              const mid = (x1 + x2) / 2;
              return (
                <path
                  key={`${from}-${to}`}
                  d={`M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`}
                  fill="none"
                  stroke="#a9b6c4"
                  strokeWidth={1.5}
                />
              );
            })}
          </Box>
          <Box sx={{ position: "absolute", left: x(0), top: y(rootRow) }}>
            <RootCard tree={tree} releaseName={releaseName} />
          </Box>
          {layout.placed.map((p) => (
            <Box key={p.node.uid} sx={{ position: "absolute", left: x(p.column), top: y(p.row) }}>
              <NodeCard node={p.node} onOpen={setOpen} />
            </Box>
          ))}
        </Box>
      </Box>
      <NodeDrawer
        node={open && (tree.nodes.find((n) => n.uid === open.uid) ?? open)}
        onClose={() => setOpen(null)}
      />
    </>
  );
}

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
    <Paper variant="outlined" data-testid="deployment-tree">
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
        <TreeCanvas tree={data} releaseName={releaseName} />
      )}
    </Paper>
  );
}
