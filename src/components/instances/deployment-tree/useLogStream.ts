"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { SseParser } from "@/common/sse";
import type { RouterOutputs } from "@/trpc/types";

/**
 * Follows a pod's container log through the streaming endpoint
 * (`GET /api/v1/instance/{id}/pods/{pod}/logs/stream/`, Server-Sent Events,
 * the session cookie): lines arrive as the container writes them. The
 * stream is closed when the component unmounts or following stops, which
 * the server sees as the client going away (it closes its cluster
 * connection). It never reconnects on its own: `reconnect` does, from the
 * last line received, so nothing is shown twice.
 */

export type LogLine = RouterOutputs["instanceInspection"]["podLogs"]["lines"][number];

/** What the log view shows: a line, or how many lines the rate cap left out at that point. */
export type StreamedEntry = { kind: "line"; line: LogLine } | { kind: "dropped"; count: number };

export type LogStreamStatus =
  | { state: "idle" }
  | { state: "connecting" }
  | { state: "live" }
  | { state: "ended"; reason: "ended" | "waiting" | "max-duration"; message: string | null }
  | { state: "error"; message: string };

interface Options {
  instanceId: string;
  pod: string;
  container: string;
  /** Where to go on from (the tail's cursor); without one, only lines written from now on. */
  cursor: string | null;
  enabled: boolean;
  onEntries: (entries: StreamedEntry[]) => void;
}

interface LinesEvent {
  lines: LogLine[];
  cursor: string | null;
}

function streamUrl(instanceId: string, pod: string, container: string, cursor: string | null): string {
  const query = new URLSearchParams({ container });
  if (cursor) query.set("sinceCursor", cursor);
  return `/api/v1/instance/${encodeURIComponent(instanceId)}/pods/${encodeURIComponent(pod)}/logs/stream/?${query}`;
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { message?: unknown };
    if (typeof body.message === "string") return body.message;
  } catch {
    // Not the API's JSON error (a proxy's page): the status says enough.
  }
  return `the server answered ${response.status}`;
}

export function useLogStream({ instanceId, pod, container, cursor, enabled, onEntries }: Options): {
  status: LogStreamStatus;
  reconnect: () => void;
} {
  const [attempt, setAttempt] = useState(0);
  // Each connection's status is kept under its key: a new connection reads "connecting" until it reports.
  const key = `${instanceId}/${pod}/${container}/${attempt}`;
  const [reported, setReported] = useState<{ key: string; status: LogStreamStatus } | null>(null);
  // The last line's cursor across reconnects; reset when the container or the starting point changes.
  const last = useRef<string | null>(cursor);
  const handler = useRef(onEntries);
  useEffect(() => {
    handler.current = onEntries;
  }, [onEntries]);
  useEffect(() => {
    last.current = cursor;
  }, [cursor, container]);

  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    const setStatus = (status: LogStreamStatus) => {
      if (!controller.signal.aborted) setReported({ key, status });
    };
    void (async () => {
      try {
        const response = await fetch(streamUrl(instanceId, pod, container, last.current), {
          headers: { accept: "text/event-stream" },
          credentials: "same-origin",
          cache: "no-store",
          signal: controller.signal,
        });
        if (!response.ok || !response.body) {
          setStatus({ state: "error", message: await errorMessage(response) });
          return;
        }
        setStatus({ state: "live" });
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        const parser = new SseParser();
        let ended = false;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const entries: StreamedEntry[] = [];
          for (const message of parser.push(value)) {
            const data: unknown = JSON.parse(message.data);
            if (message.event === "lines") {
              const event = data as LinesEvent;
              if (event.cursor) last.current = event.cursor;
              for (const line of event.lines) entries.push({ kind: "line", line });
            } else if (message.event === "dropped") {
              entries.push({ kind: "dropped", count: (data as { count: number }).count });
            } else if (message.event === "end") {
              const end = data as { reason: string; message: string | null };
              ended = true;
              setStatus(
                end.reason === "error"
                  ? { state: "error", message: end.message ?? "the log could not be read" }
                  : {
                      state: "ended",
                      reason:
                        end.reason === "waiting" || end.reason === "max-duration" ? end.reason : "ended",
                      message: end.message,
                    },
              );
            }
          }
          if (entries.length > 0) handler.current(entries);
        }
        if (!ended && !controller.signal.aborted)
          setStatus({ state: "error", message: "the connection closed before the log ended" });
      } catch (error) {
        setStatus({
          state: "error",
          message: error instanceof Error ? error.message : "the connection to the server was lost",
        });
      }
    })();
    return () => {
      controller.abort();
      // A later connection under the same key (follow switched off and on) starts as "connecting" again.
      setReported(null);
    };
  }, [enabled, instanceId, pod, container, key]);

  const reconnect = useCallback(() => setAttempt((n) => n + 1), []);
  const status: LogStreamStatus = !enabled
    ? { state: "idle" }
    : reported?.key === key
      ? reported.status
      : { state: "connecting" };
  return { status, reconnect };
}
