import {
  cleanLogText,
  type EventList,
  type KubernetesEvent,
  type LiveObject,
  MAX_EVENTS,
  POD_LOG_LIMITS,
  type PodLogLine,
  type PodLogs,
  podLogsRequestSchema,
  type PodLogsRequest,
} from "../driver";
import { ClusterDriverError } from "../errors";
import { type KubernetesManifest } from "../manifests";
import { type ActiveFailure, crashLoopRestarts } from "./failures";
import { demandRps } from "./load-model";
import { startedAt } from "./pod-status";
import { randomFor } from "./prng";
import {
  type ClusterView,
  isRecord,
  resourceKey,
  type SimClaim,
  type SimNamespace,
  type SimPod,
  type SimReplicaSet,
  type SimResource,
} from "./state";

/**
 * What the deployment tree's drawer reads from a simulated cluster: an
 * object as the cluster holds it (with a status derived from the pods),
 * a container's log and the namespace's events. All three are derived, not
 * stored: from the objects, the seed and the clock, so the same seed, calls
 * and time give the same lines and events, and advancing the clock is all it
 * takes for new log lines to appear.
 *
 * Logs. A container that has started prints start-up lines, then, every
 * LOG_BUCKET_MS of simulated time, a sample of the requests the load model
 * sends it (its share of the workload's demand at that time: up to four
 * access-log lines and a summary line with the count and the latency), with
 * 5xx answers more likely under an injected load spike. A crash-looping
 * container prints a fatal error and a restart at each of kubelet's back-off
 * restarts instead. Init containers print their run at the pod's binding.
 * Each line's timestamp is unique to the millisecond, which is what the
 * follow cursor (the last line's timestamp) relies on.
 *
 * Events. Scheduled / FailedScheduling (default-scheduler), Pulling, Pulled,
 * Created, Started and BackOff (kubelet), SuccessfulCreate (ReplicaSet and
 * StatefulSet controllers) and ScalingReplicaSet (deployment-controller), at
 * the times the pods' lifecycle gives. They live as long as their object.
 */

/** Requests of one bucket are logged at once, as a sampled access log. */
export const LOG_BUCKET_MS = 5_000;
/** Access-log lines per bucket; more requests are counted on a summary line. */
const SAMPLED_REQUESTS_PER_BUCKET = 4;
/** How far back (or forward from a cursor) one read walks: 2,000 buckets, about 2 h 47 min. */
const MAX_LOG_BUCKETS = 2_000;
/** FailedScheduling is repeated while a pod stays Pending; the count grows once a minute. */
const SCHEDULING_RETRY_MS = 60_000;

const PATHS = ["/", "/api/items", "/api/items/{id}", "/api/orders", "/healthz", "/static/app.js"];
const METHODS = ["GET", "GET", "GET", "POST", "GET", "PUT"];

const iso = (ms: number) => new Date(ms).toISOString();

function notFound(view: ClusterView, what: string): ClusterDriverError {
  return new ClusterDriverError("NOT_FOUND", `${what} not found`, { cluster: view.name });
}

function containersOf(pod: SimPod): { containers: string[]; init: string[] } {
  return {
    containers: pod.spec.containers.map((c) => c.name),
    init: (pod.spec.initContainers ?? []).map((c) => c.name),
  };
}

function imageOf(pod: SimPod, container: string): string {
  const all = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
  return all.find((c) => c.name === container)?.image ?? "unknown";
}

/** The crash loops of the pod (and container) with when each began for it. */
function crashWindows(pod: SimPod, failures: readonly ActiveFailure[]): number[] {
  const started = startedAt(pod);
  if (started === null) return [];
  return failures.flatMap((active) => {
    const { failure } = active;
    if (failure.type !== "crash-loop" || failure.namespace !== pod.namespace) return [];
    if (failure.workload !== undefined && !pod.workloadKey.endsWith(`/${failure.workload}`)) return [];
    return [Math.max(active.since, started)];
  });
}

// ---------------------------------------------------------------------------
// Logs

interface GeneratorInput {
  view: ClusterView;
  ns: SimNamespace;
  pod: SimPod;
  container: string;
  init: boolean;
  failures: readonly ActiveFailure[];
}

/** Lines of one bucket `[start, start + LOG_BUCKET_MS)`, in time order. */
function bucketLines(input: GeneratorInput, start: number, started: number): Array<[number, string]> {
  const { view, ns, pod, container } = input;
  const end = start + LOG_BUCKET_MS;
  const lines: Array<[number, string]> = [];
  const crashStart = crashWindows(pod, input.failures)
    .filter((since) => since < end)
    .sort((a, b) => a - b)[0];
  if (crashStart !== undefined) {
    // Restart k happens where crashLoopRestarts steps from k−1 to k: find those inside this bucket.
    const before = start > crashStart ? crashLoopRestarts(start - 1 - crashStart) : 0;
    const after = crashLoopRestarts(Math.max(0, end - 1 - crashStart));
    for (let k = before + 1; k <= after; k++) {
      let lo = Math.max(start, crashStart);
      let hi = end - 1;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (crashLoopRestarts(mid - crashStart) >= k) hi = mid;
        else lo = mid + 1;
      }
      lines.push([lo - 2, `FATAL ${container}: upstream connection refused; exiting with code 1`]);
      lines.push([lo, `Starting ${container} (restart ${pod.restartsBase + k})`]);
    }
    if (start >= crashStart) return lines;
  }
  const profile = ns.resources.get(pod.workloadKey)?.profile;
  if (!profile) return lines;
  const serving = [...ns.pods.values()].filter(
    (p) => p.workloadKey === pod.workloadKey && startedAt(p) !== null,
  ).length;
  const loadFactor = view.loadFactor(ns.name);
  const rps = demandRps(view.seed, profile, start, loadFactor) / Math.max(1, serving);
  const requests = Math.round(rps * (LOG_BUCKET_MS / 1000));
  const random = randomFor(view.seed, "log", view.name, ns.name, pod.name, container, start);
  const sampled = Math.min(SAMPLED_REQUESTS_PER_BUCKET, requests);
  const errorRate = loadFactor > 1 ? Math.min(0.5, 0.05 * loadFactor) : 0.005;
  const offsets = Array.from({ length: sampled }, () => 10 + Math.floor(random() * (LOG_BUCKET_MS - 40)))
    .sort((a, b) => a - b)
    .map((offset, i) => offset + i);
  let latencies = 0;
  for (const offset of offsets) {
    const which = Math.floor(random() * PATHS.length);
    const path = (PATHS[which] ?? "/").replace("{id}", String(1 + Math.floor(random() * 999)));
    const method = METHODS[which] ?? "GET";
    const status = random() < errorRate ? (loadFactor > 1 ? 503 : 500) : random() < 0.03 ? 404 : 200;
    const latency = Math.max(1, Math.round(profile.serviceTimeMs * (0.5 + random() * loadFactor)));
    latencies += latency;
    const bytes = status === 200 ? Math.round(profile.responseBytes * (0.5 + random())) : 0;
    const client = `10.42.${Math.floor(random() * 8)}.${2 + Math.floor(random() * 250)}`;
    lines.push([
      start + offset,
      `${client} "${method} ${path} HTTP/1.1" ${status} ${bytes} ${latency}ms${status >= 500 ? " upstream overloaded" : ""}`,
    ]);
  }
  if (requests > sampled) {
    const mean = sampled > 0 ? Math.round(latencies / sampled) : Math.round(profile.serviceTimeMs);
    lines.push([end - 5, `served ${requests} requests in the last ${LOG_BUCKET_MS / 1000}s, mean ${mean}ms`]);
  }
  return lines.filter(([at]) => at >= started);
}

/** Every line of the container written in `[from, to]`, oldest first. */
function linesBetween(input: GeneratorInput, from: number, to: number): Array<[number, string]> {
  const { pod, container } = input;
  const bound = pod.scheduledAt;
  const started = startedAt(pod);
  if (bound === null || started === null) return [];
  const lines: Array<[number, string]> = [];
  if (input.init) {
    lines.push([bound + 1, `Running init container ${container} (${imageOf(pod, container)})`]);
    lines.push([bound + 2, `${container}: done`]);
    return lines.filter(([at]) => at >= from && at <= to);
  }
  const ports = pod.spec.containers.find((c) => c.name === container)?.ports;
  const port =
    Array.isArray(ports) && isRecord(ports[0]) && typeof ports[0].containerPort === "number"
      ? ports[0].containerPort
      : 8080;
  lines.push([started, `Starting ${container} (${imageOf(pod, container)}) on node ${pod.nodeName ?? "?"}`]);
  lines.push([started + 1, `Listening on 0.0.0.0:${port}`]);
  lines.push([started + 2, "Ready to serve requests"]);
  const first = Math.max(Math.floor(Math.max(from, started) / LOG_BUCKET_MS), 0);
  const last = Math.floor(to / LOG_BUCKET_MS);
  for (let bucket = first; bucket <= last; bucket++)
    lines.push(...bucketLines(input, bucket * LOG_BUCKET_MS, started + 3));
  return lines.filter(([at]) => at >= from && at <= to).sort((a, b) => a[0] - b[0]);
}

function bytesOf(line: PodLogLine): number {
  return Buffer.byteLength(line.text, "utf8") + (line.timestamp?.length ?? 0) + 2;
}

/** A pod's container log, derived from the seed and the clock (see the module comment). */
export function simulatedPodLogs(
  view: ClusterView,
  request: PodLogsRequest,
  failures: readonly ActiveFailure[],
  now: number,
): PodLogs {
  const parsed = podLogsRequestSchema.safeParse(request);
  if (!parsed.success)
    throw new ClusterDriverError(
      "INVALID_ARGUMENT",
      `invalid log request: ${parsed.error.issues[0]?.path.join(".") ?? ""} ${parsed.error.issues[0]?.message ?? ""}`.trim(),
      { cluster: view.name },
    );
  const { namespace, pod: podName, container: asked, sinceCursor } = parsed.data;
  const ns = view.namespaceState(namespace);
  const pod = ns?.pods.get(podName);
  if (!ns || !pod) throw notFound(view, `pod ${namespace}/${podName}`);
  const { containers, init } = containersOf(pod);
  const container = asked ?? containers[0] ?? "";
  if (!containers.includes(container) && !init.includes(container))
    throw notFound(view, `container ${container} in pod ${namespace}/${podName}`);
  const base = {
    cluster: view.name,
    namespace,
    pod: podName,
    container,
    containers: [...containers, ...init],
    podLabels: { ...pod.labels },
  };
  const started = startedAt(pod);
  if (started === null || now < started) {
    const reason = started === null ? "Pending" : "ContainerCreating";
    return {
      ...base,
      lines: [],
      cursor: sinceCursor ?? null,
      truncated: false,
      notice: `Container ${container} is waiting to start: ${reason}${pod.pendingReason ? ` (${pod.pendingReason})` : ""}`,
    };
  }
  const input: GeneratorInput = { view, ns, pod, container, init: init.includes(container), failures };
  const windowMs = MAX_LOG_BUCKETS * LOG_BUCKET_MS;
  const limitBytes = parsed.data.limitBytes ?? POD_LOG_LIMITS.defaultLimitBytes;
  let raw: Array<[number, string]>;
  let truncated = false;
  if (sinceCursor !== undefined) {
    const since = Date.parse(sinceCursor);
    if (!Number.isFinite(since))
      throw new ClusterDriverError("INVALID_ARGUMENT", "sinceCursor is not a cursor of an earlier read", {
        cluster: view.name,
      });
    const from = Math.max(since + 1, now - windowMs);
    truncated = from > since + 1;
    raw = linesBetween(input, from, now);
    if (parsed.data.tailLines !== undefined && raw.length > parsed.data.tailLines) {
      raw = raw.slice(raw.length - parsed.data.tailLines);
      truncated = true;
    }
  } else {
    const tail = parsed.data.tailLines ?? POD_LOG_LIMITS.defaultTailLines;
    // Walk back a window at a time until the tail is full or the container's start is reached.
    raw = [];
    let to = now;
    const earliest = Math.max(started, now - windowMs);
    while (raw.length < tail && to >= earliest) {
      const from = Math.max(earliest, to - 60 * LOG_BUCKET_MS + 1);
      raw = [...linesBetween(input, from, to), ...raw];
      to = from - 1;
    }
    raw = raw.slice(Math.max(0, raw.length - tail));
  }
  const lines: PodLogLine[] = [];
  let bytes = 0;
  for (const [at, text] of raw) {
    const line = { timestamp: iso(at), text: cleanLogText(text) };
    bytes += bytesOf(line);
    if (bytes > limitBytes) {
      truncated = true;
      break;
    }
    lines.push(line);
  }
  return {
    ...base,
    lines,
    cursor: lines.at(-1)?.timestamp ?? sinceCursor ?? null,
    truncated,
    notice: null,
  };
}

// ---------------------------------------------------------------------------
// Events

interface EventDraft extends Omit<KubernetesEvent, "firstTimestamp" | "lastTimestamp"> {
  first: number;
  last: number;
}

function podEvents(
  ns: SimNamespace,
  pod: SimPod,
  failures: readonly ActiveFailure[],
  now: number,
): EventDraft[] {
  const involvedObject = { kind: "Pod", name: pod.name };
  const events: EventDraft[] = [];
  if (pod.scheduledAt === null) {
    const retries = Math.floor((now - pod.createdAt) / SCHEDULING_RETRY_MS);
    events.push({
      type: "Warning",
      reason: "FailedScheduling",
      message: pod.pendingReason ?? "0/0 nodes are available",
      involvedObject,
      count: retries + 1,
      first: pod.createdAt,
      last: pod.createdAt + retries * SCHEDULING_RETRY_MS,
      source: "default-scheduler",
    });
    return events;
  }
  const bound = pod.scheduledAt;
  const kubelet = (reason: string, message: string, at: number): EventDraft => ({
    type: "Normal",
    reason,
    message,
    involvedObject,
    count: 1,
    first: at,
    last: at,
    source: "kubelet",
  });
  events.push({
    type: "Normal",
    reason: "Scheduled",
    message: `Successfully assigned ${ns.name}/${pod.name} to ${pod.nodeName ?? "?"}`,
    involvedObject,
    count: 1,
    first: bound,
    last: bound,
    source: "default-scheduler",
  });
  const { containers, init } = containersOf(pod);
  const pulled = bound + Math.round(pod.startupMs * 0.7);
  const started = bound + pod.startupMs;
  for (const container of [...init, ...containers]) {
    const image = imageOf(pod, container);
    events.push(kubelet("Pulling", `Pulling image "${image}"`, bound + 1));
    if (now >= pulled) {
      const seconds = ((pulled - bound) / 1000).toFixed(3);
      events.push(kubelet("Pulled", `Successfully pulled image "${image}" in ${seconds}s`, pulled));
      events.push(kubelet("Created", `Created container ${container}`, pulled + 1));
    }
    if (now >= started) events.push(kubelet("Started", `Started container ${container}`, started));
  }
  for (const since of crashWindows(pod, failures)) {
    const restarts = crashLoopRestarts(now - since);
    if (restarts === 0) continue;
    for (const container of containers)
      events.push({
        type: "Warning",
        reason: "BackOff",
        message: `Back-off restarting failed container ${container} in pod ${pod.name}`,
        involvedObject,
        count: restarts,
        first: since + 10_000,
        last: now,
        source: "kubelet",
      });
  }
  return events;
}

function controllerEvents(ns: SimNamespace): EventDraft[] {
  const events: EventDraft[] = [];
  const pods = [...ns.pods.values()];
  for (const rs of ns.replicaSets.values()) {
    const newest = [...ns.replicaSets.values()]
      .filter((other) => other.owner.uid === rs.owner.uid)
      .sort((a, b) => b.revision - a.revision)[0];
    const scaledDown = rs.replicas === 0 && newest !== undefined && newest !== rs;
    const at = scaledDown ? newest.createdAt : rs.createdAt;
    events.push({
      type: "Normal",
      reason: "ScalingReplicaSet",
      message: `Scaled ${scaledDown ? "down" : "up"} replica set ${rs.name} to ${rs.replicas}`,
      involvedObject: { kind: rs.owner.kind, name: rs.owner.name },
      count: 1,
      first: at,
      last: at,
      source: "deployment-controller",
    });
    for (const pod of pods.filter((p) => p.owner?.uid === rs.uid))
      events.push({
        type: "Normal",
        reason: "SuccessfulCreate",
        message: `Created pod: ${pod.name}`,
        involvedObject: { kind: "ReplicaSet", name: rs.name },
        count: 1,
        first: pod.createdAt,
        last: pod.createdAt,
        source: "replicaset-controller",
      });
  }
  for (const pod of pods) {
    if (pod.owner?.kind !== "StatefulSet") continue;
    const set = pod.owner.name;
    for (const claim of ns.claims.values())
      if (claim.owner?.uid === pod.owner.uid && claim.name.endsWith(`-${pod.name}`))
        events.push({
          type: "Normal",
          reason: "SuccessfulCreate",
          message: `create Claim ${claim.name} Pod ${pod.name} in StatefulSet ${set} success`,
          involvedObject: { kind: "StatefulSet", name: set },
          count: 1,
          first: claim.createdAt,
          last: claim.createdAt,
          source: "statefulset-controller",
        });
    events.push({
      type: "Normal",
      reason: "SuccessfulCreate",
      message: `create Pod ${pod.name} in StatefulSet ${set} successful`,
      involvedObject: { kind: "StatefulSet", name: set },
      count: 1,
      first: pod.createdAt,
      last: pod.createdAt,
      source: "statefulset-controller",
    });
  }
  return events;
}

/** The namespace's events (or one object's), oldest first, at most MAX_EVENTS (the newest). */
export function simulatedEvents(
  view: ClusterView,
  namespace: string,
  involvedObject: { kind: string; name: string } | undefined,
  failures: readonly ActiveFailure[],
  now: number,
): EventList {
  const ns = view.namespaceState(namespace);
  const base = { cluster: view.name, namespace };
  if (!ns) return { ...base, events: [], truncated: false };
  const drafts = [
    ...controllerEvents(ns),
    ...[...ns.pods.values()].flatMap((pod) => podEvents(ns, pod, failures, now)),
  ]
    .filter((e) => e.first <= now)
    .filter(
      (e) =>
        involvedObject === undefined ||
        (e.involvedObject.kind === involvedObject.kind && e.involvedObject.name === involvedObject.name),
    )
    .sort(
      (a, b) =>
        a.last - b.last ||
        a.first - b.first ||
        (a.involvedObject.name < b.involvedObject.name
          ? -1
          : a.involvedObject.name > b.involvedObject.name
            ? 1
            : 0) ||
        (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
    );
  const kept = drafts.slice(Math.max(0, drafts.length - MAX_EVENTS));
  return {
    ...base,
    events: kept.map(({ first, last, ...event }) => ({
      ...event,
      message: cleanLogText(event.message, 1_024),
      firstTimestamp: iso(first),
      lastTimestamp: iso(last),
    })),
    truncated: kept.length < drafts.length,
  };
}

// ---------------------------------------------------------------------------
// Live objects

function podObject(view: ClusterView, ns: SimNamespace, pod: SimPod, now: number): LiveObject {
  const status = view.podStatus(pod, now);
  const started = startedAt(pod);
  const running = status.phase === "Running" || status.phase === "CrashLoopBackOff";
  const containerState = (name: string) => {
    if (status.phase === "Running") return { running: { startedAt: started === null ? null : iso(started) } };
    if (status.phase === "CrashLoopBackOff")
      return {
        waiting: {
          reason: "CrashLoopBackOff",
          message: `back-off restarting failed container ${name} in pod ${pod.name}`,
        },
      };
    return { waiting: { reason: status.phase === "Pending" ? "Pending" : "ContainerCreating" } };
  };
  const conditions = [
    {
      type: "PodScheduled",
      status: pod.scheduledAt === null ? "False" : "True",
      ...(pod.pendingReason ? { reason: "Unschedulable", message: pod.pendingReason } : {}),
    },
    { type: "Initialized", status: pod.scheduledAt === null ? "False" : "True" },
    { type: "ContainersReady", status: status.ready ? "True" : "False" },
    { type: "Ready", status: status.ready ? "True" : "False" },
  ];
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: pod.name,
      namespace: ns.name,
      uid: pod.uid,
      labels: { ...pod.labels },
      creationTimestamp: iso(pod.createdAt),
      ...(pod.owner
        ? {
            ownerReferences: [
              {
                apiVersion: "apps/v1",
                kind: pod.owner.kind,
                name: pod.owner.name,
                uid: pod.owner.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }
        : {}),
    },
    spec: { ...structuredClone(pod.spec), ...(pod.nodeName ? { nodeName: pod.nodeName } : {}) },
    status: {
      phase: running ? "Running" : "Pending",
      conditions,
      ...(pod.scheduledAt !== null ? { startTime: iso(pod.scheduledAt) } : {}),
      containerStatuses: pod.spec.containers.map((c) => ({
        name: c.name,
        image: c.image ?? "unknown",
        ready: status.ready,
        restartCount: status.restarts,
        started: status.phase === "Running",
        state: containerState(c.name),
      })),
    },
  };
}

function workloadStatus(ns: SimNamespace, resource: SimResource, view: ClusterView, now: number) {
  const pods = [...ns.pods.values()].filter(
    (p) => p.workloadKey === resourceKey(resource.kind, resource.name),
  );
  const ready = pods.filter((p) => view.podStatus(p, now).ready).length;
  const replicas =
    isRecord(resource.live.spec) && typeof resource.live.spec.replicas === "number"
      ? resource.live.spec.replicas
      : 1;
  return {
    observedGeneration: 1,
    replicas: pods.length,
    readyReplicas: ready,
    ...(resource.kind === "Deployment"
      ? {
          availableReplicas: ready,
          updatedReplicas: pods.length,
          unavailableReplicas: Math.max(0, replicas - ready),
        }
      : { currentReplicas: pods.length, updatedReplicas: pods.length, availableReplicas: ready }),
  };
}

function resourceObject(view: ClusterView, ns: SimNamespace, resource: SimResource, now: number): LiveObject {
  const live: KubernetesManifest = structuredClone(resource.live);
  live.metadata = {
    ...live.metadata,
    uid: resource.uid,
    creationTimestamp: iso(resource.createdAt),
  };
  if (resource.kind === "Deployment" || resource.kind === "StatefulSet")
    live.status = workloadStatus(ns, resource, view, now);
  else if (resource.kind === "PersistentVolumeClaim") live.status = { phase: "Bound" };
  else if (resource.kind === "Service") live.status = { loadBalancer: {} };
  return live;
}

function replicaSetObject(view: ClusterView, ns: SimNamespace, rs: SimReplicaSet, now: number): LiveObject {
  const owner = ns.resources.get(resourceKey(rs.owner.kind, rs.owner.name));
  const template =
    owner && isRecord(owner.live.spec) && isRecord(owner.live.spec.template)
      ? structuredClone(owner.live.spec.template)
      : {};
  const pods = [...ns.pods.values()].filter((p) => p.owner?.uid === rs.uid);
  const ready = pods.filter((p) => view.podStatus(p, now).ready).length;
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: rs.name,
      namespace: ns.name,
      uid: rs.uid,
      labels: { "pod-template-hash": rs.templateHash },
      annotations: { "deployment.kubernetes.io/revision": String(rs.revision) },
      creationTimestamp: iso(rs.createdAt),
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: rs.owner.kind,
          name: rs.owner.name,
          uid: rs.owner.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { replicas: rs.replicas, template },
    status: { replicas: pods.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: 1 },
  };
}

function claimObject(ns: SimNamespace, claim: SimClaim): LiveObject {
  const size = `${Math.round(claim.storageBytes / 1024 ** 3)}Gi`;
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: claim.name,
      namespace: ns.name,
      uid: claim.uid,
      creationTimestamp: iso(claim.createdAt),
    },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } },
    status: { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: size } },
  };
}

/** The object as the simulated cluster holds it, with its derived status; null when there is none. */
export function simulatedLiveObject(
  view: ClusterView,
  namespace: string,
  kind: string,
  name: string,
  now: number,
): LiveObject | null {
  const ns = view.namespaceState(namespace);
  if (!ns) return null;
  if (kind === "Pod") {
    const pod = ns.pods.get(name);
    return pod ? podObject(view, ns, pod, now) : null;
  }
  if (kind === "ReplicaSet") {
    const rs = ns.replicaSets.get(name);
    return rs ? replicaSetObject(view, ns, rs, now) : null;
  }
  const resource = ns.resources.get(resourceKey(kind, name));
  if (resource) return resourceObject(view, ns, resource, now);
  if (kind === "PersistentVolumeClaim") {
    const claim = ns.claims.get(name);
    if (claim) return claimObject(ns, claim);
  }
  return null;
}
