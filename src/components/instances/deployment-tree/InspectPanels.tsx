"use client";

import RefreshIcon from "@mui/icons-material/Refresh";
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import FormControlLabel from "@mui/material/FormControlLabel";
import MenuItem from "@mui/material/MenuItem";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Switch from "@mui/material/Switch";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { Time } from "@/components/ui/Time";
import { useTRPC } from "@/trpc/react";
import { MONO, type TreeNode } from "./model";
import { type LogStreamStatus, type StreamedEntry, useLogStream } from "./useLogStream";

/**
 * The drawer's live views of one resource: a pod's log (tail, follow,
 * container), its Kubernetes events and its YAML as the cluster holds it.
 * Each reads through tRPC (`instanceInspection`) only while its tab is open;
 * a followed log streams from the log stream endpoint (`useLogStream`).
 */

/** Lines kept on screen while following; older ones scroll away. */
const MAX_SHOWN_LINES = 5_000;
const TAIL_CHOICES = [100, 200, 500, 1000] as const;

function Loading({ label }: { label: string }) {
  return (
    <Stack spacing={0.75} aria-busy="true" aria-label={label} sx={{ py: 1 }}>
      {[0, 1, 2, 3, 4].map((i) => (
        <Skeleton key={i} variant="text" />
      ))}
    </Stack>
  );
}

function Failed({ title, message, onRetry }: { title: string; message: string; onRetry: () => void }) {
  return (
    <Alert
      severity="error"
      action={
        <Button color="inherit" size="small" onClick={onRetry}>
          Retry
        </Button>
      }
    >
      <strong>{title}</strong> {message}
    </Alert>
  );
}

const logBoxSx = {
  fontFamily: MONO,
  fontSize: 12,
  lineHeight: 1.55,
  bgcolor: "grey.900",
  color: "grey.100",
  borderRadius: 1,
  p: 1.25,
  height: { xs: 360, md: 460 },
  overflow: "auto",
  whiteSpace: "pre-wrap",
  wordBreak: "break-all",
  "&:focus-visible": { outline: "2px solid", outlineColor: "primary.main", outlineOffset: 2 },
} as const;

function followLabel(status: LogStreamStatus): {
  label: string;
  color: "default" | "success" | "warning" | "error";
} {
  switch (status.state) {
    case "connecting":
      return { label: "Connecting…", color: "default" };
    case "live":
      return { label: "Live", color: "success" };
    case "ended":
      return status.reason === "max-duration"
        ? { label: "Stopped after 30 minutes", color: "warning" }
        : status.reason === "waiting"
          ? { label: "Container not started", color: "warning" }
          : { label: "Log ended", color: "default" };
    case "error":
      return { label: "Disconnected", color: "error" };
    default:
      return { label: "Not following", color: "default" };
  }
}

/**
 * One container's log: the tail, then (following) the lines streamed as
 * the container writes them (`useLogStream`), from the tail's cursor on.
 * The view keeps to the newest line unless the person scrolled up
 * ("paused"; "Jump to latest" resumes).
 */
function LogView({
  instanceId,
  pod,
  container,
  tailLines,
  following,
  onContainers,
}: {
  instanceId: string;
  pod: string;
  container: string | undefined;
  tailLines: number;
  following: boolean;
  onContainers: (containers: string[], current: string) => void;
}) {
  const trpc = useTRPC();
  const tail = useQuery({
    ...trpc.instanceInspection.podLogs.queryOptions({ id: instanceId, pod, container, tailLines }),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  const [more, setMore] = useState<StreamedEntry[]>([]);
  const box = useRef<HTMLDivElement>(null);
  const [pinned, setPinned] = useState(true);

  const data = tail.data;
  useEffect(() => {
    if (data) onContainers(data.containers, data.container);
  }, [data, onContainers]);

  const onEntries = useCallback(
    (entries: StreamedEntry[]) => setMore((shown) => [...shown, ...entries].slice(-MAX_SHOWN_LINES)),
    [],
  );
  const { status, reconnect } = useLogStream({
    instanceId,
    pod,
    container: data?.container ?? container ?? "",
    cursor: data?.cursor ?? null,
    enabled: following && data !== undefined,
    onEntries,
  });

  const lineCount = (data?.lines.length ?? 0) + more.length;
  useEffect(() => {
    const element = box.current;
    if (element && pinned) element.scrollTop = element.scrollHeight;
  }, [lineCount, pinned]);

  if (tail.isPending) return <Loading label="Loading the log" />;
  if (tail.error)
    return (
      <Failed
        title="Couldn't read the log."
        message={tail.error.message}
        onRetry={() => void tail.refetch()}
      />
    );
  const entries: StreamedEntry[] = [
    ...tail.data.lines.map((line): StreamedEntry => ({ kind: "line", line })),
    ...more,
  ].slice(-MAX_SHOWN_LINES);
  const shownLines = entries.filter((entry) => entry.kind === "line").length;
  const chip = followLabel(status);
  const stopped = status.state === "ended" || status.state === "error";
  return (
    <Stack spacing={1}>
      {tail.data.notice && <Alert severity="info">{tail.data.notice}</Alert>}
      {following && stopped && (
        <Alert
          severity={status.state === "error" ? "warning" : "info"}
          data-testid="follow-stopped"
          action={
            <Button color="inherit" size="small" startIcon={<RefreshIcon />} onClick={reconnect}>
              Reconnect
            </Button>
          }
        >
          {status.state === "error"
            ? `Following stopped: ${status.message}`
            : status.reason === "max-duration"
              ? "Following stops after 30 minutes. Reconnect to go on from the last line."
              : (status.message ??
                "The cluster ended the log (the container stopped or the connection was closed).")}
        </Alert>
      )}
      <Box sx={{ position: "relative" }}>
        <Box
          ref={box}
          role="log"
          aria-label={`Log of container ${tail.data.container}`}
          tabIndex={0}
          data-testid="pod-log"
          onScroll={(event) => {
            const element = event.currentTarget;
            setPinned(element.scrollHeight - element.scrollTop - element.clientHeight < 24);
          }}
          sx={logBoxSx}
        >
          {entries.length === 0 ? (
            <Box component="span" sx={{ color: "grey.500" }}>
              {tail.data.notice ? "No lines yet." : "The container has written nothing yet."}
            </Box>
          ) : (
            entries.map((entry, index) =>
              entry.kind === "dropped" ? (
                <Box
                  key={`dropped-${index}`}
                  data-testid="log-dropped"
                  sx={{ color: "warning.light", fontStyle: "italic" }}
                >
                  … {entry.count} {entry.count === 1 ? "line" : "lines"} left out (the container wrote faster
                  than the follow passes on)
                </Box>
              ) : (
                <Box key={`${entry.line.timestamp ?? "-"}-${index}`} data-testid="log-line">
                  {entry.line.timestamp && (
                    <Box component="span" sx={{ color: "grey.500", mr: 1 }}>
                      <Time value={entry.line.timestamp} format="time" titleFormat="timestamp" />
                    </Box>
                  )}
                  {entry.line.text}
                </Box>
              ),
            )
          )}
        </Box>
        {following && !pinned && (
          <Button
            size="small"
            variant="contained"
            data-testid="log-jump-latest"
            onClick={() => setPinned(true)}
            sx={{ position: "absolute", right: 16, bottom: 12 }}
          >
            Paused · Jump to latest
          </Button>
        )}
      </Box>
      <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
        {following && (
          <Chip
            size="small"
            label={chip.label}
            color={chip.color}
            data-testid="follow-status"
            variant="outlined"
          />
        )}
        <Typography variant="caption" color="text.secondary" aria-live="polite">
          {shownLines} {shownLines === 1 ? "line" : "lines"}
          {tail.data.truncated ? " · the tail was cut at the size limit of one read" : ""}
          {following && status.state === "live"
            ? pinned
              ? " · following live"
              : " · following, scrolling paused"
            : ""}
        </Typography>
      </Stack>
    </Stack>
  );
}

/** The Logs tab of a pod: container picker, tail length and follow switch above the log. */
export function PodLogsPanel({ instanceId, node }: { instanceId: string; node: TreeNode }) {
  const [container, setContainer] = useState<string | undefined>(undefined);
  const [containers, setContainers] = useState<string[]>([]);
  const [tailLines, setTailLines] = useState<number>(200);
  const [following, setFollowing] = useState(false);
  const onContainers = useCallback((list: string[], current: string) => {
    setContainers(list);
    setContainer((chosen) => chosen ?? current);
  }, []);
  return (
    <Stack spacing={1.5}>
      <Stack direction="row" spacing={1.5} useFlexGap sx={{ alignItems: "center", flexWrap: "wrap" }}>
        <TextField
          select
          size="small"
          label="Container"
          value={container ?? ""}
          onChange={(event) => setContainer(event.target.value)}
          disabled={containers.length < 2}
          sx={{ minWidth: 180 }}
          slotProps={{ select: { inputProps: { "data-testid": "container-picker" } } }}
        >
          {containers.length === 0 && <MenuItem value="">Default</MenuItem>}
          {containers.map((name) => (
            <MenuItem key={name} value={name}>
              {name}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          size="small"
          label="Last lines"
          value={tailLines}
          onChange={(event) => setTailLines(Number(event.target.value))}
          sx={{ minWidth: 120 }}
        >
          {TAIL_CHOICES.map((n) => (
            <MenuItem key={n} value={n}>
              {n}
            </MenuItem>
          ))}
        </TextField>
        <FormControlLabel
          control={<Switch checked={following} onChange={(event) => setFollowing(event.target.checked)} />}
          label="Follow"
        />
      </Stack>
      <LogView
        key={`${container ?? ""}/${tailLines}`}
        instanceId={instanceId}
        pod={node.name}
        container={container}
        tailLines={tailLines}
        following={following}
        onContainers={onContainers}
      />
    </Stack>
  );
}

/** The Events tab: Kubernetes events about this resource, newest last, re-read every 10 s. */
export function EventsPanel({ instanceId, node }: { instanceId: string; node: TreeNode }) {
  const trpc = useTRPC();
  const events = useQuery({
    ...trpc.instanceInspection.events.queryOptions({ id: instanceId, kind: node.kind, name: node.name }),
    refetchInterval: 10_000,
  });
  if (events.isPending) return <Loading label="Loading the events" />;
  if (events.error)
    return (
      <Failed
        title="Couldn't read the events."
        message={events.error.message}
        onRetry={() => void events.refetch()}
      />
    );
  const list = events.data.events;
  if (list.length === 0)
    return (
      <Typography color="text.secondary" data-testid="events-empty" sx={{ py: 2 }}>
        No events about this {node.kind}. Kubernetes keeps events for about an hour.
      </Typography>
    );
  return (
    <Stack
      component="ol"
      spacing={1}
      sx={{ listStyle: "none", p: 0, m: 0 }}
      aria-label={`Events of ${node.name}`}
    >
      {[...list].reverse().map((event, index) => (
        <Box
          component="li"
          key={`${event.reason}-${event.lastTimestamp ?? ""}-${index}`}
          data-testid="event-row"
          sx={{ border: 1, borderColor: "divider", borderRadius: 1, px: 1.25, py: 1 }}
        >
          <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: "center", flexWrap: "wrap" }}>
            <Chip
              size="small"
              label={event.type}
              color={event.type === "Warning" ? "warning" : "default"}
              variant={event.type === "Warning" ? "filled" : "outlined"}
            />
            <Typography sx={{ fontWeight: 600 }}>{event.reason}</Typography>
            {event.count > 1 && (
              <Typography variant="body2" color="text.secondary">
                ×{event.count}
              </Typography>
            )}
            <Box sx={{ flexGrow: 1 }} />
            <Typography variant="caption" color="text.secondary">
              {event.lastTimestamp ? <Time value={event.lastTimestamp} format="timestamp" /> : "—"}
              {event.source ? ` · ${event.source}` : ""}
            </Typography>
          </Stack>
          <Typography variant="body2" sx={{ mt: 0.5, wordBreak: "break-word" }}>
            {event.message}
          </Typography>
        </Box>
      ))}
      {events.data.truncated && (
        <Typography variant="caption" color="text.secondary">
          Only the newest {list.length} events are shown.
        </Typography>
      )}
    </Stack>
  );
}

/** The YAML tab: the object as the cluster holds it now (a Secret's values redacted on the server). */
export function LiveYamlPanel({ instanceId, node }: { instanceId: string; node: TreeNode }) {
  const trpc = useTRPC();
  const apiVersion = node.group ? `${node.group}/${node.version}` : node.version;
  const live = useQuery({
    ...trpc.instanceInspection.liveObject.queryOptions({
      id: instanceId,
      kind: node.kind,
      name: node.name,
      apiVersion,
    }),
    refetchOnWindowFocus: false,
  });
  if (live.isPending) return <Loading label="Loading the live object" />;
  if (live.error)
    return (
      <Failed
        title="Couldn't read the object."
        message={live.error.message}
        onRetry={() => void live.refetch()}
      />
    );
  return (
    <Stack spacing={1}>
      <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
        <Typography variant="body2" color="text.secondary" sx={{ flexGrow: 1 }}>
          As the cluster holds it now, status included.
        </Typography>
        <Button
          size="small"
          startIcon={<RefreshIcon />}
          onClick={() => void live.refetch()}
          disabled={live.isFetching}
        >
          Refresh
        </Button>
      </Stack>
      {live.data.redacted && (
        <Alert severity="info">This Secret&apos;s values are redacted: they never leave the server.</Alert>
      )}
      <Box
        component="pre"
        tabIndex={0}
        aria-label={`YAML of ${node.kind} ${node.name}`}
        data-testid="live-yaml"
        sx={{
          ...logBoxSx,
          m: 0,
          height: "auto",
          maxHeight: { xs: 420, md: 560 },
          whiteSpace: "pre",
          wordBreak: "normal",
        }}
      >
        {live.data.yaml}
      </Box>
    </Stack>
  );
}
