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
import { type ReactElement } from "react";
import type { RouterOutputs } from "@/trpc/types";

/** What the tree views share: the tree types, card geometry, colours, icons and text formats. */
export type Tree = NonNullable<RouterOutputs["instance"]["tree"]>;
export type TreeNode = Tree["nodes"][number];
export type HealthStatus = TreeNode["health"]["status"];

export const CARD_W = 276;
export const CARD_H = 118;
export const COL_GAP = 64;
export const ROW_GAP = 18;
export const MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";

/** Argo CD's health colours. */
export const HEALTH_COLOR: Record<HealthStatus, string> = {
  Healthy: "#18be94",
  Progressing: "#0dadea",
  Suspended: "#766f94",
  Missing: "#f4c030",
  Degraded: "#e96d76",
  Unknown: "#8fa4b1",
};

export const KIND_ICON: Record<string, ReactElement> = {
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

export function kindIcon(kind: string): ReactElement {
  return KIND_ICON[kind] ?? <WidgetsOutlinedIcon fontSize="small" />;
}

export function rate(bytesPerSecond: number): string {
  if (bytesPerSecond < 1024) return `${bytesPerSecond.toFixed(0)} B/s`;
  if (bytesPerSecond < 1024 * 1024) return `${(bytesPerSecond / 1024).toFixed(1)} KiB/s`;
  return `${(bytesPerSecond / (1024 * 1024)).toFixed(1)} MiB/s`;
}

export function trafficText(traffic: NonNullable<TreeNode["traffic"]>): string {
  return `${traffic.requestsPerSecond.toFixed(1)} req/s · in ${rate(traffic.bytesIn)} · out ${rate(traffic.bytesOut)}`;
}

export const shortUid = (uid: string) => uid.slice(0, 8);

/** Pod and ReplicaSet names differ only at the end: keep the end when a name is too long for the card. */
export function middleEllipsis(name: string, max = 27): string {
  if (name.length <= max) return name;
  const head = Math.ceil((max - 1) / 3);
  return `${name.slice(0, head)}…${name.slice(name.length - (max - 1 - head))}`;
}
