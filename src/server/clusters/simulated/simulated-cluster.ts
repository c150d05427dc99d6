import {
  type ApplyAction,
  type ApplyOptions,
  type ApplyResult,
  type ClusterProperties,
  type ClusterUsageSample,
  type DeleteNamespaceResult,
  type DeploymentTree,
  type EventList,
  INSTANCE_ID_LABEL,
  type InstanceLoadSample,
  type InstanceUsage,
  type InstancesUsage,
  type PeriodUsage,
  type UsagePeriod,
  type LiveObject,
  namespaceNameSchema,
  type NodeInfo,
  type PodLogs,
  type PodLogsRequest,
  type ScaleResult,
  type ServerInfo,
} from "../driver";
import { ClusterDriverError } from "../errors";
import {
  deploymentSchema,
  type KubernetesManifest,
  parseManifestAs,
  persistentVolumeClaimSchema,
  podManifestSchema,
  podResources,
  type ScalableKind,
  statefulSetSchema,
  storageRequestBytes,
} from "../manifests";
import { diffLiveObject } from "../live-diff";
import { GIB } from "../quantity";
import { type Clock } from "./clock";
import { layoutNodes, propertiesOf, type SimulatedClusterSpec } from "./cluster-spec";
import { WorkloadControllers } from "./controllers";
import {
  type ActiveFailure,
  type SimulatedFailure,
  simulatedFailureSchema,
  type SimulatedFailureType,
} from "./failures";
import {
  type BackgroundProfile,
  CPU_PER_REQUEST_ANNOTATION,
  deriveBackgroundProfile,
  deriveLoadProfile,
  LOAD_PROFILE_ANNOTATION,
  type LoadProfile,
  readLoadProfile,
  REQUESTS_PER_SECOND_ANNOTATION,
} from "./load-model";
import { clusterUsage, computePodLoads, instanceLoad, instanceUsage } from "./metrics";
import { periodUsage } from "./period-usage";
import { crashRestarts, podStatus } from "./pod-status";
import { randomFor, stableStringify, uuidFrom } from "./prng";
import { type RequestedResources, schedulePod } from "./scheduler";
import {
  type ClusterView,
  isRecord,
  type PodStatus,
  resourceKey,
  type SimNamespace,
  type SimNode,
  type SimPod,
  type SimResource,
} from "./state";
import {
  parseSimulatedClusterSnapshot,
  SIMULATED_SNAPSHOT_FORMAT,
  type SimulatedClusterSnapshot,
} from "./snapshot";
import { type SimulationContext, type SimulationTiming } from "./timing";
import { buildDeploymentTree } from "./tree";
import { simulatedEvents, simulatedLiveObject, simulatedPodLogs } from "./inspection";

const WORKLOAD_KINDS: ReadonlySet<string> = new Set(["Deployment", "StatefulSet", "Pod"]);
/** Fields the API server owns; stripped from what is applied so restores and re-applies compare equal. */
const SERVER_METADATA_FIELDS = [
  "uid",
  "resourceVersion",
  "creationTimestamp",
  "generation",
  "managedFields",
  "selfLink",
];

interface PreparedManifest {
  key: string;
  kind: string;
  name: string;
  applied: KubernetesManifest;
}

/** What a restored cluster takes from the process hydrating it: time is local, the seed is the cluster's. */
export interface SnapshotEnvironment {
  clock: Clock;
  timing: SimulationTiming;
}

function notFound(cluster: string, what: string): ClusterDriverError {
  return new ClusterDriverError("NOT_FOUND", `${what} not found`, { cluster });
}

function specRecord(manifest: KubernetesManifest): Record<string, unknown> {
  if (!isRecord(manifest.spec)) manifest.spec = {};
  return manifest.spec as Record<string, unknown>;
}

/** True when the live object still has every field `applied` set (replicas aside: scaling owns them). */
function liveMatchesApplied(resource: SimResource): boolean {
  const ignore = (path: string) =>
    path === "spec.replicas" || path === `metadata.annotations.${LOAD_PROFILE_ANNOTATION}`;
  return diffLiveObject(resource.applied, resource.live, { ignore }).length === 0;
}

/** RFC 7386 JSON merge patch: objects merge, null removes a key, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function replicasOf(manifest: KubernetesManifest): number | undefined {
  const replicas = isRecord(manifest.spec) ? manifest.spec.replicas : undefined;
  return typeof replicas === "number" ? replicas : undefined;
}

/**
 * One simulated Kubernetes cluster: nodes, namespaces, the Deployment,
 * ReplicaSet and StatefulSet controllers, a scheduler and the load model.
 * Methods are synchronous (the RL environment steps it in a tight loop); the
 * driver wraps them in the asynchronous `ClusterDriver` interface.
 */
export class SimulatedCluster implements ClusterView {
  readonly spec: SimulatedClusterSpec;
  readonly background: BackgroundProfile;
  private readonly context: SimulationContext;
  private readonly nodes: SimNode[];
  private readonly namespaces = new Map<string, SimNamespace>();
  private readonly failures = new Map<string, ActiveFailure>();
  private readonly controllers: WorkloadControllers;
  private uidSeq = 0;
  private failureSeq = 0;

  /** A new, empty cluster; pass `snapshot` (already validated) to continue from a stored state instead. */
  constructor(options: {
    spec: SimulatedClusterSpec;
    context: SimulationContext;
    snapshot?: SimulatedClusterSnapshot;
  }) {
    this.spec = options.spec;
    this.context = options.context;
    this.background = deriveBackgroundProfile(this.seed, this.name);
    const { snapshot } = options;
    if (snapshot) {
      this.uidSeq = snapshot.uidSeq;
      this.failureSeq = snapshot.failureSeq;
      this.nodes = snapshot.nodes;
      for (const ns of snapshot.namespaces)
        this.namespaces.set(ns.name, {
          name: ns.name,
          uid: ns.uid,
          createdAt: ns.createdAt,
          labels: ns.labels,
          resources: new Map(ns.resources.map((r) => [resourceKey(r.kind, r.name), r])),
          replicaSets: new Map(ns.replicaSets.map((rs) => [rs.name, rs])),
          pods: new Map(ns.pods.map((pod) => [pod.name, pod])),
          claims: new Map(ns.claims.map((claim) => [claim.name, claim])),
        });
      for (const active of snapshot.failures) this.failures.set(active.id, active);
    } else {
      const createdAt = this.now();
      this.nodes = layoutNodes(this.spec).map((layout) => ({ ...layout, uid: this.nextUid(), createdAt }));
    }
    this.controllers = new WorkloadControllers(
      {
        name: this.name,
        seed: this.seed,
        timing: this.context.timing,
        now: () => this.now(),
        nextUid: () => this.nextUid(),
      },
      snapshot?.podSeq ?? 0,
    );
  }

  /**
   * Continues a cluster from a snapshot (validated here). The seed is the
   * snapshot's: a cluster keeps the seed it was created under.
   */
  static fromSnapshot(value: unknown, environment: SnapshotEnvironment): SimulatedCluster {
    // The schema passes unknown manifest fields through by reference: copy so the cluster never aliases the caller's object.
    return SimulatedCluster.hydrate(structuredClone(value), environment);
  }

  /** `fromSnapshot` for JSON text (what a store holds); parsing already gives fresh objects. */
  static fromSnapshotJson(text: string, environment: SnapshotEnvironment): SimulatedCluster {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new ClusterDriverError("UNKNOWN", "invalid simulated cluster snapshot: not JSON", {
        cause: error,
      });
    }
    return SimulatedCluster.hydrate(value, environment);
  }

  private static hydrate(value: unknown, environment: SnapshotEnvironment): SimulatedCluster {
    const snapshot = parseSimulatedClusterSnapshot(value);
    return new SimulatedCluster({
      spec: snapshot.spec,
      context: { seed: snapshot.seed, clock: environment.clock, timing: environment.timing },
      snapshot,
    });
  }

  /**
   * The whole state as JSON text. Two calls on an unchanged cluster give the
   * same text, which is how a shared store tells whether an operation changed
   * anything.
   */
  snapshotJson(): string {
    const snapshot: SimulatedClusterSnapshot = {
      format: SIMULATED_SNAPSHOT_FORMAT,
      seed: this.seed,
      spec: this.spec,
      nodes: this.nodes,
      namespaces: [...this.namespaces.values()].map((ns) => ({
        name: ns.name,
        uid: ns.uid,
        createdAt: ns.createdAt,
        labels: ns.labels,
        resources: [...ns.resources.values()],
        replicaSets: [...ns.replicaSets.values()],
        pods: [...ns.pods.values()],
        claims: [...ns.claims.values()],
      })),
      failures: [...this.failures.values()],
      uidSeq: this.uidSeq,
      podSeq: this.controllers.podSequence,
      failureSeq: this.failureSeq,
    };
    return JSON.stringify(snapshot);
  }

  /** A deep, JSON-safe copy of the state (see `snapshotJson`). */
  toSnapshot(): SimulatedClusterSnapshot {
    // Our own serialisation of typed state: re-validating it would only cost time.
    return JSON.parse(this.snapshotJson()) as SimulatedClusterSnapshot;
  }

  get name(): string {
    return this.spec.name;
  }

  get seed(): number {
    return this.context.seed;
  }

  get timing(): SimulationTiming {
    return this.context.timing;
  }

  get storageBytes(): number {
    return this.spec.storageGb * GIB;
  }

  get reachable(): boolean {
    for (const active of this.failures.values()) if (active.failure.type === "cluster-down") return false;
    return true;
  }

  now(): number {
    return this.context.clock();
  }

  properties(): ClusterProperties {
    return propertiesOf(this.spec);
  }

  assertReachable(): void {
    if (!this.reachable)
      throw new ClusterDriverError("UNREACHABLE", `cluster ${this.name} is unreachable: connection refused`, {
        cluster: this.name,
      });
  }

  private nextUid(): string {
    return uuidFrom(randomFor(this.seed, this.name, "uid", this.uidSeq++));
  }

  // -------------------------------------------------------------------------
  // Failures

  /**
   * Validates and activates a failure. Ids are numbered per cluster and carry
   * its name, so they are unique across a continuum and survive persistence.
   */
  injectFailure(failure: SimulatedFailure): ActiveFailure {
    const parsed = simulatedFailureSchema.safeParse(failure);
    if (!parsed.success)
      throw new ClusterDriverError(
        "INVALID_ARGUMENT",
        `invalid failure: ${parsed.error.issues[0]?.message ?? "?"}`,
        { cluster: this.name },
      );
    const times = "times" in parsed.data ? parsed.data.times : undefined;
    const active: ActiveFailure = {
      id: `${this.name}/failure-${++this.failureSeq}`,
      cluster: this.name,
      failure: parsed.data,
      since: this.now(),
      remaining: times ?? null,
    };
    this.failures.set(active.id, active);
    return { ...active };
  }

  /** Removing a crash loop freezes the restarts it caused, as a fixed container keeps its count. */
  removeFailure(id: string): boolean {
    const active = this.failures.get(id);
    if (!active) return false;
    if (active.failure.type === "crash-loop") {
      const now = this.now();
      for (const namespace of this.namespaces.values())
        for (const pod of namespace.pods.values()) pod.restartsBase += crashRestarts(pod, active, now);
    }
    this.failures.delete(id);
    return true;
  }

  /** Clears the failures of this cluster (all, or of one type); returns how many were cleared. */
  clearFailures(type?: SimulatedFailureType): number {
    let cleared = 0;
    for (const active of [...this.failures.values()])
      if ((type === undefined || active.failure.type === type) && this.removeFailure(active.id)) cleared += 1;
    return cleared;
  }

  activeFailures(): ActiveFailure[] {
    return [...this.failures.values()];
  }

  /** Takes one counted failure of `type`, clearing it when its count is used up. */
  consumeFailure(type: "backup-fails" | "restore-fails"): ActiveFailure | null {
    for (const active of this.failures.values()) {
      if (active.failure.type !== type) continue;
      if (active.remaining !== null) {
        active.remaining -= 1;
        if (active.remaining <= 0) this.failures.delete(active.id);
      }
      return active;
    }
    return null;
  }

  slowBackupDelayMs(): number {
    let delay = 0;
    for (const { failure } of this.failures.values())
      if (failure.type === "slow-backup") delay += failure.delayMs;
    return delay;
  }

  loadFactor(namespace: string): number {
    let factor = 1;
    for (const { failure } of this.failures.values())
      if (
        failure.type === "load-spike" &&
        (failure.namespace === undefined || failure.namespace === namespace)
      )
        factor *= failure.factor;
    return factor;
  }

  // -------------------------------------------------------------------------
  // Reads used by the tree and metrics builders

  nodeList(): readonly SimNode[] {
    return this.nodes;
  }

  namespaceState(name: string): SimNamespace | undefined {
    return this.namespaces.get(name);
  }

  namespaceStates(): Iterable<SimNamespace> {
    return this.namespaces.values();
  }

  namespaceNames(): string[] {
    return [...this.namespaces.keys()].sort();
  }

  podStatus(pod: SimPod, now: number): PodStatus {
    return podStatus(pod, this.failures.values(), this.reachable, now);
  }

  /** Pods of a namespace with their status, for inspection (tests, RL observations). */
  podSummaries(namespace: string): Array<{
    name: string;
    nodeName: string | null;
    status: PodStatus;
    pendingReason: string | null;
    workload: string;
    cpuRequestMillicores: number;
    memoryRequestBytes: number;
    gpus: number;
  }> {
    const ns = this.namespaces.get(namespace);
    if (!ns) return [];
    const now = this.now();
    return [...ns.pods.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((pod) => ({
        name: pod.name,
        nodeName: pod.nodeName,
        status: this.podStatus(pod, now),
        pendingReason: pod.pendingReason,
        workload: pod.workloadKey,
        cpuRequestMillicores: pod.resources.requests.cpuMillicores,
        memoryRequestBytes: pod.resources.requests.memoryBytes,
        gpus: pod.resources.requests.gpus,
      }));
  }

  // -------------------------------------------------------------------------
  // Server info

  private requestedByNode(): Map<string, RequestedResources> {
    const requested = new Map<string, RequestedResources>(
      this.nodes.map((node) => [node.name, { cpuMillicores: 0, memoryBytes: 0, gpus: 0 }]),
    );
    for (const namespace of this.namespaces.values())
      for (const pod of namespace.pods.values()) {
        const sum = pod.nodeName === null ? undefined : requested.get(pod.nodeName);
        if (!sum) continue;
        sum.cpuMillicores += pod.resources.requests.cpuMillicores;
        sum.memoryBytes += pod.resources.requests.memoryBytes;
        sum.gpus += pod.resources.requests.gpus;
      }
    return requested;
  }

  nodeInfos(): NodeInfo[] {
    const requested = this.requestedByNode();
    const podCounts = new Map<string, number>();
    for (const namespace of this.namespaces.values())
      for (const pod of namespace.pods.values())
        if (pod.nodeName !== null) podCounts.set(pod.nodeName, (podCounts.get(pod.nodeName) ?? 0) + 1);
    return this.nodes.map((node) => ({
      name: node.name,
      ready: this.reachable,
      labels: { ...node.labels },
      capacity: { ...node.capacity },
      allocatable: { ...node.allocatable },
      requested: { ...(requested.get(node.name) ?? { cpuMillicores: 0, memoryBytes: 0, gpus: 0 }) },
      pods: podCounts.get(node.name) ?? 0,
    }));
  }

  serverInfo(): ServerInfo {
    this.assertReachable();
    const nodes = this.nodeInfos();
    const sum = <K extends string>(pick: (node: NodeInfo) => Record<K, number>, key: K) =>
      nodes.reduce((total, node) => total + pick(node)[key], 0);
    return {
      cluster: this.name,
      kind: "simulated",
      version: this.spec.kubernetesVersion,
      nodeCount: nodes.length,
      capacity: {
        cpuMillicores: sum((n) => n.capacity, "cpuMillicores"),
        memoryBytes: sum((n) => n.capacity, "memoryBytes"),
        gpus: sum((n) => n.capacity, "gpus"),
        vramBytes: sum((n) => n.capacity, "vramBytes"),
        storageBytes: this.storageBytes,
      },
      allocatable: {
        cpuMillicores: sum((n) => n.allocatable, "cpuMillicores"),
        memoryBytes: sum((n) => n.allocatable, "memoryBytes"),
        gpus: sum((n) => n.allocatable, "gpus"),
        vramBytes: sum((n) => n.allocatable, "vramBytes"),
      },
      requested: {
        cpuMillicores: sum((n) => n.requested, "cpuMillicores"),
        memoryBytes: sum((n) => n.requested, "memoryBytes"),
        gpus: sum((n) => n.requested, "gpus"),
      },
      nodes,
    };
  }

  // -------------------------------------------------------------------------
  // apply

  private assertNamespaceName(namespace: string): void {
    const parsed = namespaceNameSchema.safeParse(namespace);
    if (!parsed.success)
      throw new ClusterDriverError("INVALID_ARGUMENT", `invalid namespace ${JSON.stringify(namespace)}`, {
        cluster: this.name,
      });
  }

  /** Validates and normalises one manifest without touching state, so a bad manifest applies nothing. */
  private prepare(
    namespace: string,
    manifest: KubernetesManifest,
    labels: Record<string, string>,
  ): PreparedManifest {
    const where = `${manifest.kind}/${manifest.metadata.name}`;
    const applied = structuredClone(manifest);
    delete applied.status;
    const metadata: Record<string, unknown> = { ...applied.metadata };
    for (const field of SERVER_METADATA_FIELDS) delete metadata[field];
    applied.metadata = {
      ...metadata,
      name: manifest.metadata.name,
      namespace,
      labels: { ...manifest.metadata.labels, ...labels },
    };

    if (manifest.kind === "Deployment" || manifest.kind === "StatefulSet") {
      const workload =
        manifest.kind === "Deployment"
          ? parseManifestAs(deploymentSchema, applied)
          : parseManifestAs(statefulSetSchema, applied);
      const template = workload.spec.template;
      template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...labels } };
      podResources(template.spec, where);
      if (workload.kind === "StatefulSet")
        for (const claim of workload.spec.volumeClaimTemplates ?? []) storageRequestBytes(claim.spec, where);
      return {
        key: resourceKey(manifest.kind, manifest.metadata.name),
        kind: manifest.kind,
        name: manifest.metadata.name,
        applied: workload,
      };
    }
    if (manifest.kind === "Pod") podResources(parseManifestAs(podManifestSchema, applied).spec, where);
    if (manifest.kind === "PersistentVolumeClaim")
      storageRequestBytes(parseManifestAs(persistentVolumeClaimSchema, applied).spec, where);
    return {
      key: resourceKey(manifest.kind, manifest.metadata.name),
      kind: manifest.kind,
      name: manifest.metadata.name,
      applied,
    };
  }

  apply(namespace: string, manifests: readonly KubernetesManifest[], options: ApplyOptions): ApplyResult {
    this.assertReachable();
    this.assertNamespaceName(namespace);
    const labels = { ...options.labels };
    // The namespace itself is the driver's to manage; a chart's Namespace object would fight it.
    const prepared = manifests
      .filter((m) => m.kind !== "Namespace")
      .map((m) => this.prepare(namespace, m, labels));
    const seen = new Set<string>();
    for (const { key } of prepared) {
      if (seen.has(key))
        throw new ClusterDriverError("INVALID_MANIFEST", `${key} appears twice in the manifests`, {
          cluster: this.name,
        });
      seen.add(key);
    }

    const now = this.now();
    const ns = this.ensureNamespace(namespace, labels, now);
    const results: ApplyResult["resources"] = [];
    const changed: SimResource[] = [];

    for (const item of prepared) {
      const existing = ns.resources.get(item.key);
      let action: ApplyAction;
      if (!existing) {
        const resource: SimResource = {
          uid: this.nextUid(),
          kind: item.kind,
          name: item.name,
          applied: item.applied,
          live: structuredClone(item.applied),
          appliedLabels: labels,
          profile: null,
          createdAt: now,
          updatedAt: now,
        };
        this.ensureProfile(ns, resource, undefined);
        ns.resources.set(item.key, resource);
        changed.push(resource);
        action = "created";
      } else if (
        stableStringify(existing.applied) === stableStringify(item.applied) &&
        liveMatchesApplied(existing)
      ) {
        existing.appliedLabels = labels;
        action = "unchanged";
      } else {
        // Changed manifests, or the same ones over an object edited by hand (drift): either way re-applied.
        const live = structuredClone(item.applied);
        // Three-way merge as kubectl apply does: a replica count the manifest did not change keeps its scaled value.
        const scaled = replicasOf(existing.live);
        if (replicasOf(existing.applied) === replicasOf(item.applied) && scaled !== undefined)
          specRecord(live).replicas = scaled;
        const previous = { ...existing };
        existing.applied = item.applied;
        existing.live = live;
        existing.appliedLabels = labels;
        existing.updatedAt = now;
        this.ensureProfile(ns, existing, previous);
        changed.push(existing);
        action = "configured";
      }
      results.push({ kind: item.kind, name: item.name, action });
    }

    // Prune what an earlier apply of the same label set created and this one no longer contains.
    if (Object.keys(labels).length > 0) {
      for (const resource of [...ns.resources.values()]) {
        const key = resourceKey(resource.kind, resource.name);
        if (seen.has(key)) continue;
        const sameOwner = Object.entries(labels).every(([k, v]) => resource.appliedLabels[k] === v);
        if (!sameOwner) continue;
        this.controllers.deleteResource(ns, resource);
        results.push({ kind: resource.kind, name: resource.name, action: "pruned" });
      }
    }

    for (const resource of changed) this.controllers.reconcile(ns, resource);
    this.schedulePending();
    return { cluster: this.name, namespace, resources: results };
  }

  private ensureNamespace(name: string, labels: Record<string, string>, now: number): SimNamespace {
    let ns = this.namespaces.get(name);
    if (!ns) {
      ns = {
        name,
        uid: this.nextUid(),
        createdAt: now,
        labels: {},
        resources: new Map(),
        replicaSets: new Map(),
        pods: new Map(),
        claims: new Map(),
      };
      this.namespaces.set(name, ns);
    }
    ns.labels = { ...ns.labels, ...labels };
    return ns;
  }

  /** Identity of a workload's load: the instance (or namespace) plus kind and name, the same on every cluster. */
  private workloadIdentity(ns: SimNamespace, kind: string, name: string): string {
    return `${ns.labels[INSTANCE_ID_LABEL] ?? ns.name}/${kind}/${name}`;
  }

  private ensureProfile(ns: SimNamespace, resource: SimResource, previous: SimResource | undefined): void {
    if (!WORKLOAD_KINDS.has(resource.kind)) return;
    const annotations = resource.live.metadata.annotations ?? {};
    const pins = (m: KubernetesManifest) =>
      `${m.metadata.annotations?.[REQUESTS_PER_SECOND_ANNOTATION]}|${m.metadata.annotations?.[CPU_PER_REQUEST_ANNOTATION]}`;
    let profile: LoadProfile | null = readLoadProfile(annotations);
    if (!profile && previous?.profile && pins(previous.applied) === pins(resource.applied))
      profile = previous.profile;
    if (!profile) {
      const spec =
        resource.kind === "Pod"
          ? parseManifestAs(podManifestSchema, resource.live).spec
          : resource.kind === "Deployment"
            ? parseManifestAs(deploymentSchema, resource.live).spec.template.spec
            : parseManifestAs(statefulSetSchema, resource.live).spec.template.spec;
      profile = deriveLoadProfile({
        seed: this.seed,
        identity: this.workloadIdentity(ns, resource.kind, resource.name),
        resources: podResources(spec),
        replicas: replicasOf(resource.live) ?? 1,
        annotations,
      });
    }
    resource.profile = profile;
    resource.live.metadata.annotations = {
      ...annotations,
      [LOAD_PROFILE_ANNOTATION]: JSON.stringify(profile),
    };
  }

  /** Binds every unscheduled pod that now fits, oldest first; the rest keep (or get) their Pending reason. */
  private schedulePending(): void {
    const pending = [...this.namespaces.values()]
      .flatMap((ns) => [...ns.pods.values()])
      .filter((pod) => pod.nodeName === null)
      .sort((a, b) => a.seq - b.seq);
    if (pending.length === 0) return;
    const requested = this.requestedByNode();
    const now = this.now();
    for (const pod of pending) {
      const decision = schedulePod(
        { requests: pod.resources.requests, nodeSelector: pod.spec.nodeSelector },
        this.nodes.map((node) => ({
          name: node.name,
          labels: node.labels,
          allocatable: node.allocatable,
          requested: requested.get(node.name) ?? { cpuMillicores: 0, memoryBytes: 0, gpus: 0 },
        })),
      );
      if (decision.nodeName === null) {
        pod.pendingReason = decision.reason;
        continue;
      }
      pod.nodeName = decision.nodeName;
      pod.pendingReason = null;
      pod.scheduledAt = now;
      const sum = requested.get(decision.nodeName);
      if (sum) {
        sum.cpuMillicores += pod.resources.requests.cpuMillicores;
        sum.memoryBytes += pod.resources.requests.memoryBytes;
        sum.gpus += pod.resources.requests.gpus;
      }
    }
  }

  // -------------------------------------------------------------------------
  // scale / delete

  scale(namespace: string, kind: ScalableKind, name: string, replicas: number): ScaleResult {
    this.assertReachable();
    if (!Number.isInteger(replicas) || replicas < 0)
      throw new ClusterDriverError(
        "INVALID_ARGUMENT",
        `replicas must be a whole number ≥ 0, got ${replicas}`,
        {
          cluster: this.name,
        },
      );
    const ns = this.namespaces.get(namespace);
    if (!ns) throw notFound(this.name, `namespace ${namespace}`);
    const resource = ns.resources.get(resourceKey(kind, name));
    if (!resource) throw notFound(this.name, `${kind} ${namespace}/${name}`);
    const previousReplicas = replicasOf(resource.live) ?? 1;
    if (previousReplicas !== replicas) {
      specRecord(resource.live).replicas = replicas;
      resource.updatedAt = this.now();
      this.controllers.reconcile(ns, resource);
      this.schedulePending();
    }
    return { cluster: this.name, namespace, kind, name, replicas, previousReplicas };
  }

  // -------------------------------------------------------------------------
  // Operator edits: what `kubectl edit` / `kubectl delete` do behind the console's back

  /**
   * Changes a live object out of band with a JSON merge patch (RFC 7386), as
   * an operator's `kubectl edit` or `kubectl patch` would: the console's last
   * applied manifest stays as it was, so the object has drifted until the next
   * apply. Workloads roll out at once (a new image makes new pods). The patch
   * may not rename the object or change its kind.
   */
  operatorEdit(namespace: string, kind: string, name: string, patch: Record<string, unknown>): void {
    this.assertReachable();
    const ns = this.namespaces.get(namespace);
    const resource = ns?.resources.get(resourceKey(kind, name));
    if (!ns || !resource) throw notFound(this.name, `${kind} ${namespace}/${name}`);
    const patched = mergePatch(resource.live, patch);
    if (
      !isRecord(patched) ||
      patched.kind !== kind ||
      !isRecord(patched.metadata) ||
      patched.metadata.name !== name
    )
      throw new ClusterDriverError("INVALID_ARGUMENT", "an edit may not change an object's kind or name", {
        cluster: this.name,
      });
    const live = patched as KubernetesManifest;
    const where = `${kind}/${name}`;
    // Validate before changing anything: the in-memory continuum has no rollback.
    if (kind === "Deployment")
      podResources(parseManifestAs(deploymentSchema, live).spec.template.spec, where);
    if (kind === "StatefulSet")
      podResources(parseManifestAs(statefulSetSchema, live).spec.template.spec, where);
    if (kind === "Pod") podResources(parseManifestAs(podManifestSchema, live).spec, where);
    resource.live = live;
    resource.updatedAt = this.now();
    this.controllers.reconcile(ns, resource);
    this.schedulePending();
  }

  /** Deletes one object out of band (`kubectl delete`), with its pods; the next apply recreates it. */
  operatorDelete(namespace: string, kind: string, name: string): void {
    this.assertReachable();
    const ns = this.namespaces.get(namespace);
    const resource = ns?.resources.get(resourceKey(kind, name));
    if (!ns || !resource) throw notFound(this.name, `${kind} ${namespace}/${name}`);
    this.controllers.deleteResource(ns, resource);
    this.schedulePending();
  }

  /**
   * The live objects of an instance in a namespace (those its apply labelled
   * with the instance id), as the API server would list them: the object
   * with uid, creation time and a resource version.
   */
  listInstanceObjects(namespace: string, instanceId: string): Record<string, unknown>[] {
    this.assertReachable();
    const ns = this.namespaces.get(namespace);
    if (!ns) return [];
    return [...ns.resources.values()]
      .filter((resource) => resource.appliedLabels[INSTANCE_ID_LABEL] === instanceId)
      .sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : 1))
      .map((resource) => {
        const live = structuredClone(resource.live);
        return {
          ...live,
          metadata: {
            ...live.metadata,
            uid: resource.uid,
            creationTimestamp: new Date(resource.createdAt).toISOString(),
            resourceVersion: String(resource.updatedAt),
          },
        };
      });
  }

  deleteNamespace(namespace: string): DeleteNamespaceResult {
    this.assertReachable();
    const deleted = this.namespaces.delete(namespace);
    // Freed capacity may let other namespaces' Pending pods in.
    if (deleted) this.schedulePending();
    return { cluster: this.name, namespace, deleted };
  }

  // -------------------------------------------------------------------------
  // Backup support

  /** The live objects of a namespace as a backup records them, plus volume sizes. */
  exportNamespace(namespace: string): {
    labels: Record<string, string>;
    manifests: KubernetesManifest[];
    volumes: Array<{ claim: string; bytes: number }>;
  } {
    this.assertReachable();
    const ns = this.namespaces.get(namespace);
    if (!ns) throw notFound(this.name, `namespace ${namespace}`);
    const resources = [...ns.resources.values()].sort(
      (a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : 1),
    );
    const volumes = [...ns.claims.values()].map((claim) => ({
      claim: claim.name,
      bytes: Math.round(claim.storageBytes * claim.fillFraction),
    }));
    return {
      labels: { ...ns.labels },
      manifests: resources.map((resource) => structuredClone(resource.live)),
      volumes,
    };
  }

  // -------------------------------------------------------------------------
  // Observation

  deploymentTree(namespace: string): DeploymentTree {
    return buildDeploymentTree(this, namespace, this.now());
  }

  /** The object with its derived status, or null (see inspection.ts). */
  liveObject(namespace: string, kind: string, name: string): LiveObject | null {
    this.assertReachable();
    return simulatedLiveObject(this, namespace, kind, name, this.now());
  }

  /** A container's log, derived from the seed, the load model and the clock (see inspection.ts). */
  podLogs(request: PodLogsRequest): PodLogs {
    this.assertReachable();
    return simulatedPodLogs(this, request, [...this.failures.values()], this.now());
  }

  /** The namespace's (or one object's) events, from the pods' lifecycle (see inspection.ts). */
  events(namespace: string, involvedObject?: { kind: string; name: string }): EventList {
    this.assertReachable();
    return simulatedEvents(this, namespace, involvedObject, [...this.failures.values()], this.now());
  }

  usage(): ClusterUsageSample {
    this.assertReachable();
    return clusterUsage(this, this.now());
  }

  instanceUsage(namespace: string): InstanceUsage {
    this.assertReachable();
    if (!this.namespaces.has(namespace)) throw notFound(this.name, `namespace ${namespace}`);
    return instanceUsage(this, namespace, this.now());
  }

  /** The serving load of one instance: the CFDRL scaling agent's state (metrics.ts). */
  instanceLoad(namespace: string): InstanceLoadSample {
    this.assertReachable();
    if (!this.namespaces.has(namespace)) throw notFound(this.name, `namespace ${namespace}`);
    return instanceLoad(this, namespace, this.now());
  }

  /** Several namespaces at one instant: the pod loads of the cluster are computed once, not per namespace. */
  instancesUsage(namespaces: readonly string[]): InstancesUsage {
    this.assertReachable();
    const now = this.now();
    const loads = computePodLoads(this, now);
    const usages: InstanceUsage[] = [];
    const failures: InstancesUsage["failures"] = [];
    for (const namespace of new Set(namespaces)) {
      if (this.namespaces.has(namespace)) usages.push(instanceUsage(this, namespace, now, loads));
      else failures.push({ namespace, error: notFound(this.name, `namespace ${namespace}`).toData() });
    }
    return { cluster: this.name, timestamp: new Date(now).toISOString(), usages, failures };
  }

  /** Usage over a billing period, integrated from the load model (period-usage.ts). */
  instancesPeriodUsage(namespaces: readonly string[], period: UsagePeriod): PeriodUsage {
    this.assertReachable();
    return periodUsage(this, namespaces, period);
  }
}
