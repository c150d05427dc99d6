import { type IncomingMessage } from "node:http";
import { type CoreV1Event, type V1ContainerStatus, type V1Pod } from "@kubernetes/client-node";
import {
  cleanLogText,
  type EventList,
  type KubernetesEvent,
  LIVE_OBJECT_API_VERSIONS,
  type LiveObject,
  MAX_EVENT_MESSAGE_CHARS,
  MAX_EVENTS,
  namespaceNameSchema,
  objectKindSchema,
  objectNameSchema,
  POD_LOG_LIMITS,
  type PodLogLine,
  type PodLogs,
  podLogsRequestSchema,
  type PodLogsRequest,
  POD_LOG_STREAM_LIMITS,
  type PodLogStream,
  podLogStreamRequestSchema,
  type PodLogStreamRequest,
} from "../driver";
import { boundedLogEvents, LineSplitter, waitingEvents } from "../log-stream";
import { ClusterDriverError } from "../errors";
import { call, isApiError, toDriverError } from "./api-errors";
import { type KubernetesApis } from "./client";

/**
 * What the deployment tree's drawer reads from a real cluster: one object
 * as the API server has it (`GET` of the object), a container's log
 * (`GET /api/v1/namespaces/{ns}/pods/{pod}/log`) and the namespace's core v1
 * events (`involvedObject` field selector). Every answer goes through the
 * driver's transport: the pinned address (SSRF guard), the deadline and the
 * response size cap.
 */

export interface InspectionContext {
  apis: KubernetesApis;
  cluster: string;
  now: () => number;
  /**
   * Opens `GET path?query` for reading as it comes (the driver's
   * `openStream`: pinned address, credentials, a deadline until the headers).
   */
  openStream: (path: string, query: Record<string, string>, signal: AbortSignal) => Promise<IncomingMessage>;
  /** Every item of a paged list (the driver's `listPaged`). */
  listPaged: <T>(
    operation: string,
    run: (page: { limit: number; _continue: string | undefined }) => Promise<{
      items: T[];
      metadata?: { _continue?: string };
    }>,
  ) => Promise<T[]>;
}

/**
 * The log API has no `sinceTime` in the client; a follow asks `sinceSeconds`
 * back to the cursor plus this margin (the console's and the cluster's clocks
 * differ a little) and drops lines at or before the cursor itself.
 */
const SINCE_MARGIN_SECONDS = 10;

function invalid(cluster: string, message: string): ClusterDriverError {
  return new ClusterDriverError("INVALID_ARGUMENT", message, { cluster });
}

function assertObject(cluster: string, namespace: string, kind: string, name: string): void {
  if (!namespaceNameSchema.safeParse(namespace).success)
    throw invalid(cluster, `invalid namespace ${JSON.stringify(namespace)}`);
  if (!objectKindSchema.safeParse(kind).success)
    throw invalid(cluster, `invalid kind ${JSON.stringify(kind)}`);
  if (!objectNameSchema.safeParse(name).success)
    throw invalid(cluster, `invalid ${kind} name ${JSON.stringify(name)}`);
}

// ---------------------------------------------------------------------------
// getLiveObject

/**
 * The client reads `metadata` through its model, which turns times into
 * `Date`s and objects into class instances: back to the JSON the API server
 * sent (times in RFC 3339, whole seconds without a fraction, as `metav1.Time` writes them).
 */
export function plainJson(value: unknown): unknown {
  if (value instanceof Date) {
    const text = value.toISOString();
    return text.endsWith(".000Z") ? `${text.slice(0, -5)}Z` : text;
  }
  if (Array.isArray(value)) return value.map(plainJson);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, inner]) => inner !== undefined)
        .map(([key, inner]) => [key, plainJson(inner)]),
    );
  return value;
}

/** The object as the API server answers a GET (managedFields included), or null when it does not exist. */
export async function getLiveObject(
  context: InspectionContext,
  namespace: string,
  kind: string,
  name: string,
  apiVersion: string | undefined,
): Promise<LiveObject | null> {
  const { apis, cluster } = context;
  assertObject(cluster, namespace, kind, name);
  const version = apiVersion ?? LIVE_OBJECT_API_VERSIONS[kind];
  if (version === undefined)
    throw invalid(cluster, `name the apiVersion of ${kind}: it is not one of the kinds the driver knows`);
  const where = `${kind}/${name} in namespace ${namespace}`;
  const resource = await call({ cluster, operation: `looking up the API of ${kind}` }, () =>
    apis.objects.describe(version, kind),
  );
  // A kind the cluster does not serve has no objects.
  if (!resource) return null;
  if (!resource.namespaced) throw invalid(cluster, `${kind} is cluster-scoped, not an object of a namespace`);
  try {
    const object = await apis.objects.read({ apiVersion: version, kind, metadata: { name, namespace } });
    return plainJson(object) as LiveObject;
  } catch (error) {
    if (isApiError(error, 404)) return null;
    throw toDriverError(error, { cluster, operation: `reading ${where}` });
  }
}

// ---------------------------------------------------------------------------
// readPodLogs

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** An RFC 3339 timestamp in nanoseconds since the epoch (RFC3339Nano drops trailing zeros, so text does not sort). */
export function timestampNanos(value: string): bigint | null {
  const match = TIMESTAMP.exec(value);
  if (!match) return null;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (!Number.isFinite(seconds)) return null;
  return BigInt(seconds) * 1_000_000n + BigInt((match[2] ?? "").padEnd(9, "0"));
}

/** `2025-05-29T10:00:01.123456789Z the line` → timestamp and text (`timestamps=true` prefixes each line). */
export function parseLogLine(raw: string): PodLogLine {
  const space = raw.indexOf(" ");
  const head = space < 0 ? raw : raw.slice(0, space);
  if (timestampNanos(head) !== null)
    return { timestamp: head, text: cleanLogText(space < 0 ? "" : raw.slice(space + 1)) };
  return { timestamp: null, text: cleanLogText(raw) };
}

function statusOf(pod: V1Pod, container: string): V1ContainerStatus | undefined {
  return [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find(
    (status) => status.name === container,
  );
}

/** Why a container has nothing to show yet, or null when the log API has something (even of a crashed run). */
function waitingNotice(pod: V1Pod, container: string): string | null {
  const status = statusOf(pod, container);
  if (!status) return `Container ${container} is waiting to start: ${pod.status?.phase ?? "Pending"}`;
  if (status.state?.waiting && status.restartCount === 0 && !status.lastState?.terminated)
    return `Container ${container} is waiting to start: ${cleanLogText(status.state.waiting.reason ?? "Waiting", 200)}`;
  return null;
}

/** The pod and the container a log read is about (the named one, else the default, else the first). */
async function podContainer(
  context: InspectionContext,
  namespace: string,
  name: string,
  asked: string | undefined,
) {
  const { apis, cluster } = context;
  const where = `pod ${name} in namespace ${namespace}`;
  const pod = await call({ cluster, operation: `reading ${where}` }, () =>
    apis.core.readNamespacedPod({ name, namespace }),
  );
  const containers = (pod.spec?.containers ?? []).map((c) => c.name);
  const init = (pod.spec?.initContainers ?? []).map((c) => c.name);
  const preferred = pod.metadata?.annotations?.["kubectl.kubernetes.io/default-container"];
  const container = asked ?? (preferred && containers.includes(preferred) ? preferred : containers[0]);
  if (container === undefined || (!containers.includes(container) && !init.includes(container)))
    throw new ClusterDriverError("NOT_FOUND", `container ${container ?? "?"} not found in ${where}`, {
      cluster,
    });
  return {
    pod,
    base: {
      cluster,
      namespace,
      pod: name,
      container,
      containers: [...containers, ...init],
      podLabels: { ...pod.metadata?.labels },
    },
  };
}

export async function readPodLogs(context: InspectionContext, request: PodLogsRequest): Promise<PodLogs> {
  const { apis, cluster } = context;
  const parsed = podLogsRequestSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(
      cluster,
      `invalid log request: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim(),
    );
  }
  const { namespace, pod: name, sinceCursor } = parsed.data;
  const since = sinceCursor === undefined ? undefined : timestampNanos(sinceCursor);
  if (since === null) throw invalid(cluster, "sinceCursor is not a cursor of an earlier read");
  const where = `pod ${name} in namespace ${namespace}`;
  const { pod, base } = await podContainer(context, namespace, name, parsed.data.container);
  const { container } = base;
  const notice = waitingNotice(pod, container);
  if (notice !== null) return { ...base, lines: [], cursor: sinceCursor ?? null, truncated: false, notice };

  const limitBytes = parsed.data.limitBytes ?? POD_LOG_LIMITS.defaultLimitBytes;
  const tailLines =
    parsed.data.tailLines ?? (since === undefined ? POD_LOG_LIMITS.defaultTailLines : undefined);
  const sinceSeconds =
    since === undefined
      ? undefined
      : Math.max(1, Math.ceil((context.now() - Number(since / 1_000_000n)) / 1000) + SINCE_MARGIN_SECONDS);
  const text = await call(
    { cluster, operation: `reading the log of container ${container} of ${where}` },
    () =>
      apis.core.readNamespacedPodLog({
        name,
        namespace,
        container,
        timestamps: true,
        limitBytes,
        ...(tailLines !== undefined && { tailLines }),
        ...(sinceSeconds !== undefined && { sinceSeconds }),
      }),
  );
  const body = typeof text === "string" ? text : "";
  const truncated = Buffer.byteLength(body, "utf8") >= limitBytes;
  const raw = body.split("\n");
  // The last element is "" after a final newline; without one, a line the byte limit cut in two.
  if (body.endsWith("\n") || truncated) raw.pop();
  let lines = raw.map(parseLogLine);
  if (since !== undefined)
    lines = lines.filter((line) => {
      const at = line.timestamp === null ? null : timestampNanos(line.timestamp);
      return at !== null && at > since;
    });
  return {
    ...base,
    lines,
    cursor: [...lines].reverse().find((line) => line.timestamp !== null)?.timestamp ?? sinceCursor ?? null,
    truncated,
    notice: null,
  };
}

// ---------------------------------------------------------------------------
// followPodLogs

/** `sinceTime` takes whole seconds: the second the cursor falls in (lines up to the cursor are dropped). */
function sinceTimeOf(nanos: bigint): string {
  return new Date(Number(nanos / 1_000_000_000n) * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * Follows a container's log with one `GET …/log?follow=true&timestamps=true`
 * held open: the chunked answer is cut into lines as it arrives (a line may
 * span chunks). No reconnect: when the API server ends the answer (the
 * container stopped, or its own timeout), the events end with "ended" and
 * the caller decides. Lines at or before `sinceCursor` are dropped, since
 * `sinceTime` only has seconds.
 */
export async function followPodLogs(
  context: InspectionContext,
  request: PodLogStreamRequest,
  signal: AbortSignal | undefined,
): Promise<PodLogStream> {
  const { cluster } = context;
  const parsed = podLogStreamRequestSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(
      cluster,
      `invalid log request: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim(),
    );
  }
  const { namespace, pod: name, sinceCursor } = parsed.data;
  const cursorNanos = sinceCursor === undefined ? undefined : timestampNanos(sinceCursor);
  if (cursorNanos === null) throw invalid(cluster, "sinceCursor is not a cursor of an earlier read");
  const since: bigint | undefined = cursorNanos;
  const { pod, base } = await podContainer(context, namespace, name, parsed.data.container);
  const { container } = base;
  const notice = waitingNotice(pod, container);
  if (notice !== null) return { ...base, notice, events: waitingEvents(notice) };

  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/log`;
  const query: Record<string, string> = {
    follow: "true",
    timestamps: "true",
    container,
    ...(since === undefined
      ? { tailLines: String(parsed.data.tailLines ?? 0) }
      : { sinceTime: sinceTimeOf(since) }),
  };
  const operation = `following the log of container ${container} of pod ${name} in namespace ${namespace}`;
  async function* source(streamSignal: AbortSignal): AsyncGenerator<PodLogLine[]> {
    let incoming: IncomingMessage;
    try {
      incoming = await context.openStream(path, query, streamSignal);
    } catch (error) {
      if (streamSignal.aborted) throw streamSignal.reason;
      throw toDriverError(error, { cluster, operation });
    }
    const splitter = new LineSplitter(POD_LOG_STREAM_LIMITS.maxRawLineBytes);
    const keep = (raw: string[]) =>
      raw.map(parseLogLine).filter((line) => {
        if (since === undefined) return true;
        const at = line.timestamp === null ? null : timestampNanos(line.timestamp);
        return at !== null && at > since;
      });
    try {
      for await (const chunk of incoming as AsyncIterable<Buffer>) {
        const lines = keep(splitter.push(chunk));
        if (lines.length > 0) yield lines;
      }
      const last = splitter.flush();
      if (last !== null && last.length > 0) {
        const lines = keep([last]);
        if (lines.length > 0) yield lines;
      }
    } catch (error) {
      if (streamSignal.aborted) throw streamSignal.reason;
      throw toDriverError(error, { cluster, operation });
    } finally {
      // Leaving early (abort, max duration, the caller stopped reading) closes the socket.
      incoming.destroy();
    }
  }
  return {
    ...base,
    notice: null,
    events: boundedLogEvents(source, {
      now: context.now,
      linesPerSecond: parsed.data.linesPerSecond ?? POD_LOG_STREAM_LIMITS.defaultLinesPerSecond,
      maxDurationMs: parsed.data.maxDurationMs ?? POD_LOG_STREAM_LIMITS.defaultMaxDurationMs,
      signal,
    }),
  };
}

// ---------------------------------------------------------------------------
// listEvents

function iso(value: Date | string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** One core v1 event as the drawer shows it: new-style events (eventTime, series) folded into the old fields. */
export function toKubernetesEvent(event: CoreV1Event): KubernetesEvent {
  const last = iso(event.series?.lastObservedTime) ?? iso(event.lastTimestamp) ?? iso(event.eventTime);
  return {
    type: cleanLogText(event.type ?? "Normal", 32),
    reason: cleanLogText(event.reason ?? "", 128),
    message: cleanLogText(event.message ?? "", MAX_EVENT_MESSAGE_CHARS),
    involvedObject: {
      kind: event.involvedObject.kind ?? "",
      name: event.involvedObject.name ?? "",
    },
    count: Math.max(1, event.series?.count ?? event.count ?? 1),
    firstTimestamp: iso(event.firstTimestamp) ?? iso(event.eventTime) ?? last,
    lastTimestamp: last,
    source: event.source?.component ?? event.reportingComponent ?? null,
  };
}

export async function listEvents(
  context: InspectionContext,
  namespace: string,
  involvedObject: { kind: string; name: string } | undefined,
): Promise<EventList> {
  const { cluster } = context;
  if (involvedObject) assertObject(cluster, namespace, involvedObject.kind, involvedObject.name);
  else if (!namespaceNameSchema.safeParse(namespace).success)
    throw invalid(cluster, `invalid namespace ${JSON.stringify(namespace)}`);
  const fieldSelector = involvedObject
    ? `involvedObject.kind=${involvedObject.kind},involvedObject.name=${involvedObject.name}`
    : undefined;
  const items = await context.listPaged(`listing events in namespace ${namespace}`, (page) =>
    context.apis.core.listNamespacedEvent({ namespace, ...(fieldSelector && { fieldSelector }), ...page }),
  );
  const events = items
    .map(toKubernetesEvent)
    .sort(
      (a, b) =>
        (a.lastTimestamp ?? "").localeCompare(b.lastTimestamp ?? "") ||
        (a.firstTimestamp ?? "").localeCompare(b.firstTimestamp ?? "") ||
        a.involvedObject.name.localeCompare(b.involvedObject.name),
    );
  const kept = events.slice(Math.max(0, events.length - MAX_EVENTS));
  return { cluster, namespace, events: kept, truncated: kept.length < events.length };
}
