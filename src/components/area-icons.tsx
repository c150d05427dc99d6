import AccountBalanceWalletOutlinedIcon from "@mui/icons-material/AccountBalanceWalletOutlined";
import DnsOutlinedIcon from "@mui/icons-material/DnsOutlined";
import LayersOutlinedIcon from "@mui/icons-material/LayersOutlined";
import MarkEmailUnreadOutlinedIcon from "@mui/icons-material/MarkEmailUnreadOutlined";
import MonitorHeartOutlinedIcon from "@mui/icons-material/MonitorHeartOutlined";
import SwapHorizIcon from "@mui/icons-material/SwapHoriz";
import TrackChangesOutlinedIcon from "@mui/icons-material/TrackChangesOutlined";
import type { ReactNode } from "react";
import type { AreaKey } from "@/common/areas";

/** Each console area's icon and accent, shared by the home tiles and the side navigation. */
export const AREA_ICONS: Record<AreaKey, ReactNode> = {
  workloads: <MonitorHeartOutlinedIcon />,
  instances: <LayersOutlinedIcon />,
  intents: <TrackChangesOutlinedIcon />,
  clusters: <DnsOutlinedIcon />,
  orchestration: <SwapHorizIcon />,
  accounting: <AccountBalanceWalletOutlinedIcon />,
  "failed-messages": <MarkEmailUnreadOutlinedIcon />,
};

export const AREA_ACCENTS: Record<AreaKey, string> = {
  workloads: "#0b5cad",
  instances: "#6a4fc2",
  intents: "#00897b",
  clusters: "#c2691b",
  orchestration: "#6a1b9a",
  accounting: "#2e7d32",
  "failed-messages": "#b3261e",
};
