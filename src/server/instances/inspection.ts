import { stringify } from "yaml";
import { z } from "zod";
import { hasRole, Role } from "@/common/roles";
import { isUuid } from "@/common/ids";
import type { SessionUser } from "@/server/auth";
import {
  ClusterDriverError,
  driverFor,
  type DriverFactory,
  type EventList,
  INSTANCE_ID_LABEL,
  type LiveObject,
  objectKindSchema,
  objectNameSchema,
  POD_LOG_LIMITS,
  type PodLogs,
  type PodLogStreamEvent,
} from "@/server/clusters";
import type { Db } from "@/server/db";
import { DomainError, parseOrThrow } from "@/server/errors";
import { logger } from "@/server/logger";
import { REDACTED } from "@/server/secrets";

/**
 * What the deployment tree's drawer shows of one resource of an instance,
 * read live from its cluster: a pod's container log (tail and follow), the
 * Kubernetes events of the namespace or of one object, and the object as the
 * cluster holds it (YAML; a Secret's values never leave the server).
 *
 * Who may read: the instance's owner, NEMO admins, and the infrastructure
 * provider whose cluster runs it (they operate that cluster and could read
 * the same with its kubeconfig; they see nothing of instances elsewhere).
 * Anyone else gets "not found", as for every instance read. The namespace
 * is always the instance's own, never taken from the request, and an object
 * labelled for another instance is "not found" too.
 */
const log = logger.child({ module: "instance-inspection" });

export interface InspectionDeps {
  db: Db;
  user: SessionUser;
  driverFactory?: DriverFactory;
}

/** Statuses in which an instance may have resources on its cluster to look at. */
const INSPECTABLE = new Set(["DEPLOYING", "DEPLOYED", "MIGRATING", "FAILED"]);

const kindField = objectKindSchema.describe("Kubernetes kind (Deployment, Pod, Service, …)");
const nameField = objectNameSchema.describe("object name");

export const podLogsInputSchema = z.object({
  id: z.string().max(64),
  pod: objectNameSchema,
  container: z
    .string()
    .max(63)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a container name")
    .optional(),
  tailLines: z.number().int().min(1).max(POD_LOG_LIMITS.maxTailLines).optional(),
  sinceCursor: z.string().max(64).optional(),
});
export type PodLogsInput = z.input<typeof podLogsInputSchema>;

export const instanceEventsInputSchema = z
  .object({ id: z.string().max(64), kind: kindField.optional(), name: nameField.optional() })
  .refine((v) => (v.kind === undefined) === (v.name === undefined), {
    message: "name both the kind and the name of the object, or neither",
    path: ["name"],
  });
export type InstanceEventsInput = z.input<typeof instanceEventsInputSchema>;

export const liveObjectInputSchema = z.object({
  id: z.string().max(64),
  kind: kindField,
  name: nameField,
  apiVersion: z
    .string()
    .max(128)
    .regex(/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/, "must be an apiVersion such as apps/v1")
    .optional(),
});
export type LiveObjectInput = z.input<typeof liveObjectInputSchema>;

/** A pod's log as the drawer shows it (its labels were only for the check). */
export type InstancePodLogs = Omit<PodLogs, "podLabels">;

export interface InstanceLiveObject {
  kind: string;
  name: string;
  /** The object as JSON, a Secret's values `<redacted>`. */
  object: LiveObject;
  /** The same as YAML, for display. */
  yaml: string;
  /** Whether values were replaced by `<redacted>`. */
  redacted: boolean;
}

async function loadInspectable(deps: InspectionDeps, id: string) {
  const { db, user } = deps;
  const admin = hasRole(user.roles, Role.NEMO_ADMIN);
  const serviceProvider = hasRole(user.roles, Role.SERVICE_PROVIDER);
  const infrastructureProvider = hasRole(user.roles, Role.INFRASTRUCTURE_PROVIDER);
  if (!admin && !serviceProvider && !infrastructureProvider)
    throw new DomainError(
      "forbidden",
      "Only NEMO admins, service and infrastructure providers can inspect instances.",
    );
  if (typeof id !== "string" || !isUuid(id)) throw new DomainError("not_found", "No such workload instance.");
  const scope = admin
    ? {}
    : {
        OR: [
          ...(serviceProvider ? [{ ownerId: user.id }] : []),
          ...(infrastructureProvider ? [{ cluster: { ownerId: user.id } }] : []),
        ],
      };
  const instance = await db.workloadInstance.findFirst({
    where: { id, ...scope },
    select: { id: true, namespace: true, status: true, clusterId: true },
  });
  if (!instance) throw new DomainError("not_found", "No such workload instance.");
  if (!instance.clusterId || !INSPECTABLE.has(instance.status))
    throw new DomainError(
      "conflict",
      `The instance is ${instance.status}: it has nothing running on a cluster to inspect.`,
    );
  const cluster = await db.cluster.findUniqueOrThrow({ where: { id: instance.clusterId } });
  return { instance, cluster, driver: driverFor(db, cluster, deps.driverFactory) };
}

/** A driver failure in the domain's words: the driver's messages are already fixed sentences without secrets. */
function domainError(error: unknown, what: string): unknown {
  if (!(error instanceof ClusterDriverError)) return error;
  if (error.type === "NOT_FOUND") return new DomainError("not_found", `No ${what} in this instance.`);
  if (error.type === "INVALID_ARGUMENT") return new DomainError("invalid", error.message);
  return new DomainError("conflict", `The cluster could not be read: ${error.message}`);
}

/** Not found when the object is labelled for another instance (the namespace is the instance's already). */
function assertOwnLabel(labels: unknown, instanceId: string, what: string): void {
  if (labels === null || typeof labels !== "object") return;
  const value = (labels as Record<string, unknown>)[INSTANCE_ID_LABEL];
  if (value !== undefined && value !== instanceId)
    throw new DomainError("not_found", `No ${what} in this instance.`);
}

/** The last lines of a pod's container, or those after `sinceCursor` (follow). */
export async function instancePodLogs(deps: InspectionDeps, input: PodLogsInput): Promise<InstancePodLogs> {
  const data = parseOrThrow(podLogsInputSchema, input);
  const { instance, cluster, driver } = await loadInspectable(deps, data.id);
  const what = `pod ${data.pod}${data.container ? ` (container ${data.container})` : ""}`;
  let logs: PodLogs;
  try {
    logs = await driver.readPodLogs({
      namespace: instance.namespace,
      pod: data.pod,
      container: data.container,
      tailLines: data.tailLines,
      sinceCursor: data.sinceCursor,
    });
  } catch (error) {
    throw domainError(error, what);
  }
  assertOwnLabel(logs.podLabels, instance.id, what);
  log.debug(
    {
      instance: instance.id,
      cluster: cluster.name,
      pod: data.pod,
      container: logs.container,
      lines: logs.lines.length,
      by: deps.user.username,
    },
    "pod logs read",
  );
  const { podLabels: _labels, ...shown } = logs;
  return shown;
}

// ---------------------------------------------------------------------------
// Following a pod's log (streaming)

/** Follows one person may hold open at once (each holds a connection to a cluster). */
export const POD_LOG_STREAMS_PER_USER = 4;

export const podLogStreamInputSchema = z.object({
  id: z.string().max(64),
  pod: objectNameSchema,
  container: podLogsInputSchema.shape.container,
  /** The `cursor` of the tail read (or of the stream's last lines, to reconnect): only what comes after it. */
  sinceCursor: z.string().max(64).optional(),
  /** Lines from before the follow to start with, when there is no cursor (0: only new lines). */
  tailLines: z.number().int().min(0).max(POD_LOG_LIMITS.maxTailLines).optional(),
});
export type PodLogStreamInput = z.input<typeof podLogStreamInputSchema>;

/** The caller already follows POD_LOG_STREAMS_PER_USER logs: REST answers 429. */
export class TooManyLogStreams extends Error {
  override readonly name = "TooManyLogStreams";
  constructor(readonly limit: number) {
    super(`You already follow ${limit} pod logs: close one of them first.`);
  }
}

/** Open follows per user id, in this process (each web server process holds its own connections). */
const openStreams = new Map<string, number>();

/** How many follows `userId` holds open now (for tests and the log line). */
export function openLogStreams(userId: string): number {
  return openStreams.get(userId) ?? 0;
}

function takeStreamSlot(userId: string): () => void {
  const open = openLogStreams(userId);
  if (open >= POD_LOG_STREAMS_PER_USER) throw new TooManyLogStreams(POD_LOG_STREAMS_PER_USER);
  openStreams.set(userId, open + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = openLogStreams(userId) - 1;
    if (left > 0) openStreams.set(userId, left);
    else openStreams.delete(userId);
  };
}

/** An open follow as the caller sees it (no pod labels). */
export interface InstancePodLogStream {
  container: string;
  containers: string[];
  notice: string | null;
  /** Iterate once; aborting the signal passed in ends it and closes the cluster connection. */
  events: AsyncIterable<PodLogStreamEvent>;
  /** Ends the follow without reading it (idempotent): closes the connection and gives the slot back. */
  close(): void;
}

/**
 * Follows a pod's container log of an instance, as it is written: the same
 * readers and checks as `instancePodLogs` (who may read, the instance's own
 * namespace, the pod labelled for this instance), and at most
 * POD_LOG_STREAMS_PER_USER at once per person. Everything is checked before
 * this resolves, so a refusal is an error answer rather than a stream. The
 * slot is given back when the events end, however they end.
 */
export async function followInstancePodLogs(
  deps: InspectionDeps,
  input: PodLogStreamInput,
  options: { signal: AbortSignal },
): Promise<InstancePodLogStream> {
  const data = parseOrThrow(podLogStreamInputSchema, input);
  const release = takeStreamSlot(deps.user.id);
  // The driver's stream ends on this one: the caller's abort, or a refusal below.
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal.reason);
  options.signal.addEventListener("abort", onAbort, { once: true });
  const done = () => {
    options.signal.removeEventListener("abort", onAbort);
    controller.abort();
    release();
  };
  const what = `pod ${data.pod}${data.container ? ` (container ${data.container})` : ""}`;
  let context: { instance: string; cluster: string; pod: string; container: string };
  let stream;
  try {
    if (options.signal.aborted) throw new DomainError("conflict", "The request was cancelled.");
    const { instance, cluster, driver } = await loadInspectable(deps, data.id);
    try {
      stream = await driver.followPodLogs(
        {
          namespace: instance.namespace,
          pod: data.pod,
          container: data.container,
          sinceCursor: data.sinceCursor,
          tailLines: data.tailLines,
        },
        { signal: controller.signal },
      );
    } catch (error) {
      throw domainError(error, what);
    }
    assertOwnLabel(stream.podLabels, instance.id, what);
    context = { instance: instance.id, cluster: cluster.name, pod: data.pod, container: stream.container };
  } catch (error) {
    done();
    throw error;
  }
  const source = stream.events;
  const startedBy = deps.user.username;
  log.info({ ...context, by: startedBy }, "pod log follow started");
  async function* events(): AsyncGenerator<PodLogStreamEvent, void, undefined> {
    let lines = 0;
    let dropped = 0;
    let end: string = "aborted";
    try {
      for await (const event of source) {
        if (event.type === "lines") lines += event.lines.length;
        else if (event.type === "dropped") dropped += event.count;
        else end = event.reason;
        yield event;
      }
    } finally {
      done();
      log.info({ ...context, by: startedBy, lines, dropped, end }, "pod log follow ended");
    }
  }
  return {
    container: stream.container,
    containers: stream.containers,
    notice: stream.notice,
    events: events(),
    close: done,
  };
}

/** Kubernetes events of the instance's namespace, or of one of its objects. */
export async function instanceEvents(deps: InspectionDeps, input: InstanceEventsInput): Promise<EventList> {
  const data = parseOrThrow(instanceEventsInputSchema, input);
  const { instance, cluster, driver } = await loadInspectable(deps, data.id);
  const involved =
    data.kind !== undefined && data.name !== undefined ? { kind: data.kind, name: data.name } : undefined;
  try {
    const events = await driver.listEvents(instance.namespace, involved);
    log.debug(
      { instance: instance.id, cluster: cluster.name, object: involved, events: events.events.length },
      "events read",
    );
    return events;
  } catch (error) {
    throw domainError(error, involved ? `${involved.kind} ${involved.name}` : "namespace");
  }
}

/**
 * A live object with the values of a Secret replaced: its data and
 * stringData, and the last-applied annotation that would repeat them.
 */
export function redactLiveObject(object: LiveObject): { object: LiveObject; redacted: boolean } {
  if (object.kind !== "Secret") return { object, redacted: false };
  const copy = structuredClone(object) as LiveObject & Record<string, unknown>;
  for (const field of ["data", "stringData"]) {
    const values = copy[field];
    if (values && typeof values === "object" && !Array.isArray(values))
      copy[field] = Object.fromEntries(Object.keys(values).map((key) => [key, REDACTED]));
  }
  const annotations = copy.metadata.annotations;
  if (annotations)
    copy.metadata.annotations = Object.fromEntries(
      Object.entries(annotations).map(([key, value]) => [
        key,
        key === "kubectl.kubernetes.io/last-applied-configuration" ? REDACTED : value,
      ]),
    );
  return { object: copy, redacted: true };
}

/** The object as the instance's cluster holds it now; a Secret's values redacted for everyone. */
export async function instanceLiveObject(
  deps: InspectionDeps,
  input: LiveObjectInput,
): Promise<InstanceLiveObject> {
  const data = parseOrThrow(liveObjectInputSchema, input);
  const { instance, cluster, driver } = await loadInspectable(deps, data.id);
  const what = `${data.kind} ${data.name}`;
  let live: LiveObject | null;
  try {
    live = await driver.getLiveObject(instance.namespace, data.kind, data.name, {
      apiVersion: data.apiVersion,
    });
  } catch (error) {
    throw domainError(error, what);
  }
  if (!live) throw new DomainError("not_found", `No ${what} in this instance.`);
  assertOwnLabel(live.metadata.labels, instance.id, what);
  const { object, redacted } = redactLiveObject(live);
  log.debug(
    { instance: instance.id, cluster: cluster.name, kind: data.kind, name: data.name },
    "live object read",
  );
  return { kind: data.kind, name: data.name, object, yaml: stringify(object, { lineWidth: 0 }), redacted };
}
