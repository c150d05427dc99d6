"use client";

import Skeleton from "@mui/material/Skeleton";
import dynamic from "next/dynamic";

/**
 * The Orchestration page's CFDRL part, loaded after the page (the migrations
 * table is what the page paints first; the agents' status, models, decisions
 * and evaluation follow, with recharts for the loss curves).
 */
export const CfdrlSection = dynamic(() => import("./CfdrlOverview").then((m) => m.CfdrlOverview), {
  ssr: false,
  loading: () => <Skeleton variant="rounded" height={320} aria-label="Loading CFDRL" />,
});
