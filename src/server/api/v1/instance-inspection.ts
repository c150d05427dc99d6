/**
 * REST for the deployment tree's drawer (/api/v1/instance/{id}/pods/…/logs/,
 * …/events/, …/objects/{kind}/{name}/): the same domain calls as tRPC's
 * `instanceInspection` router. Who may read is the domain's rule (owner,
 * admins, the infrastructure provider of the instance's cluster; anyone else
 * 404); 409 when the instance has nothing on a cluster.
 */
import { z } from "zod";
import { Role } from "@/common/roles";
import { RestError, restHandler } from "@/server/api/rest";
import { POD_LOG_LIMITS } from "@/server/clusters";
import {
  followInstancePodLogs,
  instanceEvents,
  instanceLiveObject,
  instancePodLogs,
  type InstancePodLogStream,
  TooManyLogStreams,
} from "@/server/instances";

/** Who gets past the role check; ownership is the domain's. */
export const INSPECTION_ROLES = [
  Role.NEMO_ADMIN,
  Role.SERVICE_PROVIDER,
  Role.INFRASTRUCTURE_PROVIDER,
] as const;

export const podLogsQuery = z.object({
  container: z.string().max(63).optional().describe("Container name; the pod's first container by default."),
  tailLines: z.coerce
    .number()
    .int()
    .min(1)
    .max(POD_LOG_LIMITS.maxTailLines)
    .optional()
    .describe(`Lines from the end (default ${POD_LOG_LIMITS.defaultTailLines} without sinceCursor).`),
  sinceCursor: z
    .string()
    .max(64)
    .optional()
    .describe("The `cursor` of an earlier answer: only lines written after it (follow by polling)."),
});

export const eventsQuery = z.object({
  kind: z.string().max(63).optional().describe("Kind of the object the events are about (with `name`)."),
  name: z.string().max(253).optional().describe("Name of the object the events are about (with `kind`)."),
});

export const liveObjectQuery = z.object({
  apiVersion: z
    .string()
    .max(128)
    .optional()
    .describe("The object's apiVersion; needed only for kinds other than the built-in ones."),
});

/** GET /api/v1/instance/{id}/pods/{pod}/logs/ — a container's last lines, or those after `sinceCursor`. */
export const instancePodLogsRest = restHandler(
  { roles: INSPECTION_ROLES, query: podLogsQuery },
  ({ db, user, params, query }) =>
    instancePodLogs({ db, user }, { id: params.id ?? "", pod: params.pod ?? "", ...query }),
);

export const podLogStreamQuery = z.object({
  container: z.string().max(63).optional().describe("Container name; the pod's first container by default."),
  sinceCursor: z
    .string()
    .max(64)
    .optional()
    .describe("A `cursor` of the tail read or of earlier `lines` events: only lines written after it."),
  tailLines: z.coerce
    .number()
    .int()
    .min(0)
    .max(POD_LOG_LIMITS.maxTailLines)
    .optional()
    .describe("Without sinceCursor: lines from before the follow to start with (default 0, only new lines)."),
});

/** A comment line every so often keeps proxies from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The open follow as a `text/event-stream` body: `open`, then `lines` / `dropped`, then `end`. */
function eventStream(stream: InstancePodLogStream): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  // Set when the client went away: nothing may be written to (or close) a cancelled body.
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        if (!cancelled) controller.enqueue(encoder.encode(text));
      };
      send(
        sse("open", { container: stream.container, containers: stream.containers, notice: stream.notice }),
      );
      keepAlive = setInterval(() => send(": keep-alive\n\n"), KEEP_ALIVE_MS);
      keepAlive.unref?.();
      try {
        for await (const event of stream.events) {
          const { type, ...data } = event;
          send(sse(type, data));
        }
      } catch {
        // The domain's stream does not throw (a failure is an `end` event); nothing more to send.
      } finally {
        clearInterval(keepAlive);
        stream.close();
      }
      if (!cancelled) controller.close();
    },
    cancel() {
      // The client went away: close the connection to the cluster now, not at the next line.
      cancelled = true;
      clearInterval(keepAlive);
      stream.close();
    },
  });
}

/**
 * GET /api/v1/instance/{id}/pods/{pod}/logs/stream/ — follows a container's
 * log as Server-Sent Events. Who may read and every refusal (401, 403, 404,
 * 409, 429) are decided before the stream starts, as JSON errors; once it
 * runs, a failure is an `end` event. The client going away aborts the
 * request, which closes the cluster connection.
 */
export const instancePodLogStreamRest = restHandler(
  { roles: INSPECTION_ROLES, query: podLogStreamQuery },
  async ({ db, user, params, query, request }) => {
    let stream: InstancePodLogStream;
    try {
      // The request's signal aborts when the client disconnects: the domain ends the follow with it.
      stream = await followInstancePodLogs(
        { db, user },
        { id: params.id ?? "", pod: params.pod ?? "", ...query },
        { signal: request.signal },
      );
    } catch (error) {
      if (error instanceof TooManyLogStreams)
        throw new RestError(429, "too_many_requests", error.message, undefined, undefined, 5);
      throw error;
    }
    return new Response(eventStream(stream), {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        // no-transform: the server's gzip would hold events back until its buffer fills.
        "cache-control": "no-store, no-transform",
        // Proxies (nginx) must pass each event on as it comes instead of buffering the answer.
        "x-accel-buffering": "no",
      },
    });
  },
);

/** GET /api/v1/instance/{id}/events/ — Kubernetes events of the instance's namespace or of one object. */
export const instanceEventsRest = restHandler(
  { roles: INSPECTION_ROLES, query: eventsQuery },
  ({ db, user, params, query }) => instanceEvents({ db, user }, { id: params.id ?? "", ...query }),
);

/** GET /api/v1/instance/{id}/objects/{kind}/{name}/ — the object as its cluster holds it; Secret values redacted. */
export const instanceLiveObjectRest = restHandler(
  { roles: INSPECTION_ROLES, query: liveObjectQuery },
  ({ db, user, params, query }) =>
    instanceLiveObject(
      { db, user },
      { id: params.id ?? "", kind: params.kind ?? "", name: params.name ?? "", ...query },
    ),
);
