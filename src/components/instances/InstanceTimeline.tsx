"use client";

import DeleteForeverOutlinedIcon from "@mui/icons-material/DeleteForeverOutlined";
import DeleteOutlineIcon from "@mui/icons-material/DeleteOutlineOutlined";
import DescriptionOutlinedIcon from "@mui/icons-material/DescriptionOutlined";
import ErrorOutlineIcon from "@mui/icons-material/ErrorOutlineOutlined";
import EventNoteOutlinedIcon from "@mui/icons-material/EventNoteOutlined";
import OpenInFullIcon from "@mui/icons-material/OpenInFull";
import PlaceOutlinedIcon from "@mui/icons-material/PlaceOutlined";
import ReplayIcon from "@mui/icons-material/Replay";
import RocketLaunchOutlinedIcon from "@mui/icons-material/RocketLaunchOutlined";
import SwapHorizIcon from "@mui/icons-material/SwapHoriz";
import SyncIcon from "@mui/icons-material/Sync";
import SyncProblemIcon from "@mui/icons-material/SyncProblem";
import TaskAltIcon from "@mui/icons-material/TaskAlt";
import UpgradeIcon from "@mui/icons-material/Upgrade";
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import type { ReactElement } from "react";
import { Time } from "@/components/ui/Time";
import { useTRPC } from "@/trpc/react";
import { isTransitional, LIVE_REFRESH_MS, SETTLED_REFRESH_MS, type InstanceStatus } from "./status";

/** Each lifecycle event type's icon and colour (lifecycle.ts has the vocabulary). */
const LOOK: Record<string, { icon: ReactElement; color: string }> = {
  Rendered: { icon: <DescriptionOutlinedIcon fontSize="small" />, color: "#0b5cad" },
  Placement: { icon: <PlaceOutlinedIcon fontSize="small" />, color: "#00897b" },
  Deployment: { icon: <RocketLaunchOutlinedIcon fontSize="small" />, color: "#2e7d32" },
  Migration: { icon: <SwapHorizIcon fontSize="small" />, color: "#6a1b9a" },
  Scaling: { icon: <OpenInFullIcon fontSize="small" />, color: "#ef6c00" },
  Upgrade: { icon: <UpgradeIcon fontSize="small" />, color: "#0b5cad" },
  Retry: { icon: <ReplayIcon fontSize="small" />, color: "#00897b" },
  Drifted: { icon: <SyncProblemIcon fontSize="small" />, color: "#b26a00" },
  "In sync": { icon: <TaskAltIcon fontSize="small" />, color: "#2e7d32" },
  "Re-sync": { icon: <SyncIcon fontSize="small" />, color: "#0b5cad" },
  "Deletion requested": { icon: <DeleteOutlineIcon fontSize="small" />, color: "#b26a00" },
  Deletion: { icon: <DeleteForeverOutlinedIcon fontSize="small" />, color: "#55606d" },
  Failed: { icon: <ErrorOutlineIcon fontSize="small" />, color: "#c62828" },
};
const OTHER = { icon: <EventNoteOutlinedIcon fontSize="small" />, color: "#55606d" };
/** A migration that failed or was rolled back (its event's detail says which) reads as a problem. */
const MIGRATION_ENDED_BADLY = { icon: <SwapHorizIcon fontSize="small" />, color: "#c62828" };

function lookOf(event: { type: string; detail: unknown }): { icon: ReactElement; color: string } {
  if (event.type === "Migration" && typeof event.detail === "object" && event.detail !== null) {
    const state = (event.detail as { state?: unknown }).state;
    if (state === "FAILED" || state === "ROLLED_BACK") return MIGRATION_ENDED_BADLY;
  }
  return LOOK[event.type] ?? OTHER;
}

function ago(date: Date, now: number): string {
  const seconds = Math.max(0, Math.round((now - date.getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/**
 * The instance's lifecycle, newest first, as a vertical timeline. It polls
 * while the orchestrator is still at work on the instance, so Placement and
 * Deployment appear as they happen.
 */
export function InstanceTimeline({ instanceId, status }: { instanceId: string; status: InstanceStatus }) {
  const trpc = useTRPC();
  const events = useQuery({
    ...trpc.instance.timeline.queryOptions({ id: instanceId }),
    // Fast while the orchestrator works on it; slower once settled, since scaling and
    // migration add events to a DEPLOYED instance too. A DELETED one gets no more.
    refetchInterval: isTransitional(status)
      ? LIVE_REFRESH_MS
      : status === "DELETED"
        ? false
        : SETTLED_REFRESH_MS,
  });

  if (events.isPending) {
    return (
      <Paper variant="outlined" sx={{ p: 3 }} aria-busy="true" aria-label="Loading the timeline">
        {[0, 1, 2].map((i) => (
          <Stack key={i} direction="row" spacing={2} sx={{ mb: 2 }}>
            <Skeleton variant="circular" width={32} height={32} />
            <Box sx={{ flexGrow: 1 }}>
              <Skeleton width="30%" />
              <Skeleton width="60%" />
            </Box>
          </Stack>
        ))}
      </Paper>
    );
  }
  if (events.error) {
    return (
      <Alert
        severity="error"
        action={
          <Button color="inherit" size="small" onClick={() => void events.refetch()}>
            Retry
          </Button>
        }
      >
        {events.error.message}
      </Alert>
    );
  }
  // "n s ago" is relative to when the events were read, which keeps rendering pure.
  const now = events.dataUpdatedAt;
  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, md: 3 } }}>
      {events.data.length === 0 ? (
        <Typography color="text.secondary">No lifecycle events yet.</Typography>
      ) : (
        <Box
          component="ol"
          aria-label="Lifecycle events, newest first"
          data-testid="timeline"
          sx={{ listStyle: "none", m: 0, p: 0 }}
        >
          {events.data.map((event, i) => {
            const look = lookOf(event);
            const last = i === events.data.length - 1;
            return (
              <Box
                component="li"
                key={event.id.toString()}
                data-testid="timeline-event"
                data-type={event.type}
                sx={{ display: "grid", gridTemplateColumns: "40px 1fr", columnGap: 2 }}
              >
                <Box sx={{ display: "flex", flexDirection: "column", alignItems: "center" }}>
                  <Box
                    aria-hidden="true"
                    sx={{
                      width: 32,
                      height: 32,
                      borderRadius: "50%",
                      display: "grid",
                      placeItems: "center",
                      color: look.color,
                      bgcolor: `${look.color}1a`,
                      border: `2px solid ${look.color}`,
                      flexShrink: 0,
                    }}
                  >
                    {look.icon}
                  </Box>
                  {!last && <Box sx={{ width: 2, flexGrow: 1, bgcolor: "divider", my: 0.5 }} />}
                </Box>
                <Box sx={{ pb: last ? 0 : 3, pt: 0.25, minWidth: 0 }}>
                  <Stack
                    direction="row"
                    spacing={1.5}
                    useFlexGap
                    sx={{ alignItems: "baseline", flexWrap: "wrap" }}
                  >
                    <Typography sx={{ fontWeight: 600 }}>{event.type}</Typography>
                    <Typography variant="body2" color="text.secondary" component="span">
                      <Time
                        value={event.occurredAt}
                        format="timestamp"
                        title={event.occurredAt.toISOString()}
                      />{" "}
                      · {ago(event.occurredAt, now)}
                    </Typography>
                  </Stack>
                  <Typography variant="body2" sx={{ mt: 0.25 }}>
                    {event.message}
                  </Typography>
                </Box>
              </Box>
            );
          })}
        </Box>
      )}
    </Paper>
  );
}
