import {
  HttpMethod,
  type KubeConfig,
  PatchStrategy,
  ServerConfiguration,
  setHeaderOptions,
  type V1APIResourceList,
} from "@kubernetes/client-node";
import {
  type ApplyOptions,
  type ApplyResult,
  type BackupInfo,
  type ClusterDriver,
  type ClusterProperties,
  type ClusterUsageSample,
  type ConnectResult,
  type DeleteNamespaceResult,
  type DeploymentTree,
  type EventList,
  type GetLiveObjectOptions,
  INSTANCE_ID_LABEL,
  type InstanceLoadSample,
  type InstanceUsage,
  type InstancesUsage,
  type PeriodUsage,
  type UsagePeriod,
  type LiveObject,
  type PodLogs,
  type PodLogsRequest,
  type PodLogStream,
  type PodLogStreamRequest,
  type InstanceObjects,
  namespaceNameSchema,
  type ObjectKindRef,
  objectNameSchema,
  type OperationOptions,
  type RestoreInfo,
  type ScaleResult,
} from "../driver";
import { ClusterDriverError, isClusterDriverError } from "../errors";
import {
  type Lookup,
  type NetworkPolicy,
  networkPolicyFromEnv,
  type PinnedAddress,
  pinAddress,
  serverUrlProblem,
} from "../network-policy";
import { type KubernetesManifest, type ScalableKind, scalableKindSchema } from "../manifests";
import { call, isApiError, toDriverError } from "./api-errors";
import { applyManifests, labelledListsByKind, PRUNE_KINDS } from "./apply";
import { createApis, type KubernetesApis, loadKubeConfig } from "./client";
import {
  clusterUsageSample,
  instanceLoadOf,
  instanceUsageOf,
  readNodeMetrics,
  readPodMetrics,
} from "./metrics";
import { periodUsageOf } from "./period-usage";
import { serverInfo } from "./server-info";
import { openStream } from "./transport";
import { groupOf, isRecord } from "./objects";
import { buildDeploymentTree, type NamespaceObjects } from "./tree";
import * as inspection from "./inspection";
import * as velero from "./velero";

export interface KubernetesClusterDriverOptions {
  /** The registered cluster name; it names the cluster in results and errors. */
  cluster: string;
  /** The registered kubeconfig (YAML); its current context decides server and credentials. */
  kubeconfig: string;
  /** The registered properties, returned by `properties()`. */
  properties?: ClusterProperties;
  /** Deadline of one API request (default 30 s). */
  requestTimeoutMs?: number;
  /** Where Velero runs (default "velero"). */
  veleroNamespace?: string;
  /** How often a Velero Backup or Restore is polled (default 2 s). */
  pollIntervalMs?: number;
  /** How long a backup may take (default 30 min). */
  backupTimeoutMs?: number;
  /** How long a restore may take (default 30 min). */
  restoreTimeoutMs?: number;
  /** Injected clock for timestamps (default `Date.now`). */
  now?: () => number;
  /** Which servers and addresses may be reached (default: from the environment). */
  network?: NetworkPolicy;
  /** The resolver consulted before connecting (default: the system's); for tests. */
  lookup?: Lookup;
  /** Largest answer read (default 8 MiB). */
  maxResponseBytes?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_POLL_INTERVAL_MS = 2_000;
const DEFAULT_VELERO_TIMEOUT_MS = 30 * 60_000;
/** Items per page of the namespaced lists (tree, usage). */
const LIST_PAGE_SIZE = 500;

interface ListPage {
  limit: number;
  _continue: string | undefined;
}

interface PagedList<T> {
  items: T[];
  metadata?: { _continue?: string };
}

/** Pages of a paged list read at most (500 × 200 = 100,000 items): a bound on a hostile server's answers. */
const MAX_LIST_PAGES = 200;
/** Namespaces read at once by `instancesUsage`: enough to hide latency, few enough to spare the API server. */
const USAGE_CONCURRENCY = 8;
/** Errors that are about the cluster, not one namespace: no point asking about the other namespaces. */
const CLUSTER_WIDE_ERRORS = new Set(["UNREACHABLE", "UNAUTHORIZED", "TIMEOUT", "DRIVER_UNAVAILABLE"]);

/**
 * `ClusterDriver` over a real Kubernetes API server, through
 * `@kubernetes/client-node` and the registered kubeconfig: server-side apply
 * for deploying, the scale subresource for scaling, Velero for backup and
 * restore, metrics-server for usage. Every failure is a `ClusterDriverError`
 * naming the cluster and the operation.
 */
export class KubernetesClusterDriver implements ClusterDriver {
  readonly kind = "kubernetes" as const;
  readonly cluster: string;
  private readonly kubeConfig: KubeConfig;
  private readonly server: string;
  private readonly registered: ClusterProperties | undefined;
  private readonly timeoutMs: number;
  private readonly veleroNamespace: string;
  private readonly pollIntervalMs: number;
  private readonly backupTimeoutMs: number;
  private readonly restoreTimeoutMs: number;
  private readonly now: () => number;
  /** Discovery results, kept for the driver's lifetime (kinds served change only with upgrades and CRDs). */
  private readonly discoveryCache: Record<string, V1APIResourceList> = {};
  private readonly apis: KubernetesApis;
  private readonly network: NetworkPolicy;
  private readonly lookup: Lookup | undefined;
  private readonly maxResponseBytes: number | undefined;
  /** Vetted addresses per host name, for the driver's lifetime (a failed resolution is asked again). */
  private readonly pinned = new Map<string, Promise<PinnedAddress>>();

  /** Throws INVALID_CONFIG for a kubeconfig it could not use, before any request is made. */
  constructor(options: KubernetesClusterDriverOptions) {
    this.cluster = options.cluster;
    ({ kubeConfig: this.kubeConfig, server: this.server } = loadKubeConfig(
      options.kubeconfig,
      options.cluster,
    ));
    this.registered = options.properties;
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.veleroNamespace = options.veleroNamespace ?? "velero";
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.backupTimeoutMs = options.backupTimeoutMs ?? DEFAULT_VELERO_TIMEOUT_MS;
    this.restoreTimeoutMs = options.restoreTimeoutMs ?? DEFAULT_VELERO_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
    this.network = options.network ?? networkPolicyFromEnv();
    this.lookup = options.lookup;
    this.maxResponseBytes = options.maxResponseBytes;
    const problem = serverUrlProblem(this.server, this.network);
    if (problem !== null)
      throw new ClusterDriverError(
        "INVALID_CONFIG",
        `cluster ${this.cluster}: the API server URL ${problem}`,
        {
          cluster: this.cluster,
        },
      );
    this.apis = this.createApis();
  }

  /** Clients bound to `signal`, so abandoning a long operation also cancels its request in flight. */
  private createApis(signal?: AbortSignal): KubernetesApis {
    return createApis({
      kubeConfig: this.kubeConfig,
      server: this.server,
      timeoutMs: this.timeoutMs,
      discoveryCache: this.discoveryCache,
      signal,
      pin: (hostname) => this.pin(hostname),
      maxResponseBytes: this.maxResponseBytes,
    });
  }

  private pin(hostname: string): Promise<PinnedAddress> {
    let pinned = this.pinned.get(hostname);
    if (!pinned) {
      pinned = pinAddress(hostname, this.network, this.cluster, this.lookup);
      this.pinned.set(hostname, pinned);
      pinned.catch(() => this.pinned.delete(hostname));
    }
    return pinned;
  }

  /**
   * Every item of a list, read in pages of LIST_PAGE_SIZE: one answer stays
   * far below the transport's size cap, and a server that keeps sending
   * continue tokens is stopped after MAX_LIST_PAGES pages.
   */
  private async listPaged<T>(
    operation: string,
    run: (page: ListPage) => Promise<PagedList<T>>,
  ): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      if (++pages > MAX_LIST_PAGES)
        throw new ClusterDriverError(
          "UNKNOWN",
          `cluster ${this.cluster}: ${operation}: more than ${MAX_LIST_PAGES} pages of ${LIST_PAGE_SIZE}; not read further`,
          { cluster: this.cluster },
        );
      const page = await call(this.context(operation), () =>
        run({ limit: LIST_PAGE_SIZE, _continue: token }),
      );
      items.push(...page.items);
      token = page.metadata?._continue || undefined;
    } while (token);
    return items;
  }

  private context(operation: string) {
    return { cluster: this.cluster, operation };
  }

  private assertNamespace(namespace: string): void {
    if (!namespaceNameSchema.safeParse(namespace).success)
      throw new ClusterDriverError("INVALID_ARGUMENT", `invalid namespace ${JSON.stringify(namespace)}`, {
        cluster: this.cluster,
      });
  }

  async connect(): Promise<ConnectResult> {
    try {
      const version = await call(this.context("reading the server version"), () =>
        this.apis.version.getCode(),
      );
      const nodes = await this.listPaged("listing nodes", (page) => this.apis.core.listNode(page));
      // Requests held on each node, as `kubectl describe node` sums them: every bound pod that has not finished.
      const pods = await this.listPaged("listing pods", (page) =>
        this.apis.core.listPodForAllNamespaces({
          fieldSelector: "status.phase!=Succeeded,status.phase!=Failed",
          ...page,
        }),
      );
      return {
        ok: true,
        info: serverInfo({ cluster: this.cluster, version: version.gitVersion, nodes, pods }),
      };
    } catch (error) {
      return { ok: false, error: toDriverError(error, this.context("connecting")).toData() };
    }
  }

  async properties(): Promise<ClusterProperties> {
    if (!this.registered)
      throw new ClusterDriverError(
        "INVALID_CONFIG",
        `cluster ${this.cluster} was registered without properties (capacity, cost, energy)`,
        { cluster: this.cluster },
      );
    return { ...this.registered };
  }

  apply(
    namespace: string,
    manifests: readonly KubernetesManifest[],
    options: ApplyOptions,
  ): Promise<ApplyResult> {
    return applyManifests({ apis: this.apis, cluster: this.cluster }, namespace, manifests, options);
  }

  /**
   * Deletes the namespace; the API server then removes what is in it in the
   * background (the namespace shows Terminating meanwhile). Only namespaces
   * the console made (labelled with an instance id) are deleted: a typo must
   * not be able to remove kube-system.
   */
  async deleteNamespace(namespace: string): Promise<DeleteNamespaceResult> {
    this.assertNamespace(namespace);
    const result = (deleted: boolean) => ({ cluster: this.cluster, namespace, deleted });
    let labels: Record<string, string> | undefined;
    let phase: string | undefined;
    try {
      const live = await this.apis.core.readNamespace({ name: namespace });
      labels = live.metadata?.labels;
      phase = live.status?.phase;
    } catch (error) {
      if (isApiError(error, 404)) return result(false);
      throw toDriverError(error, this.context(`reading namespace ${namespace}`));
    }
    if (labels?.[INSTANCE_ID_LABEL] === undefined)
      throw new ClusterDriverError(
        "INVALID_ARGUMENT",
        `cluster ${this.cluster}: namespace ${namespace} has no ${INSTANCE_ID_LABEL} label, so the console ` +
          `did not create it; refusing to delete it`,
        { cluster: this.cluster },
      );
    // Already on its way out (an earlier delete): nothing more to do, and a second DELETE would get a 409.
    if (phase === "Terminating") return result(false);
    try {
      await this.apis.core.deleteNamespace({ name: namespace });
      return result(true);
    } catch (error) {
      // 404: gone meanwhile; 409: started terminating meanwhile. Either way, deleting again is a no-op.
      if (isApiError(error, 404) || isApiError(error, 409)) return result(false);
      throw toDriverError(error, this.context(`deleting namespace ${namespace}`));
    }
  }

  private async namespaceObjects(namespace: string): Promise<NamespaceObjects> {
    const list = <T>(what: string, run: (page: ListPage) => Promise<PagedList<T>>) =>
      this.listPaged(`listing ${what} in namespace ${namespace}`, run);
    const [deployments, replicaSets, pods, statefulSets, services, claims, ingresses] = await Promise.all([
      list("deployments", (page) => this.apis.apps.listNamespacedDeployment({ namespace, ...page })),
      list("replica sets", (page) => this.apis.apps.listNamespacedReplicaSet({ namespace, ...page })),
      list("pods", (page) => this.apis.core.listNamespacedPod({ namespace, ...page })),
      list("stateful sets", (page) => this.apis.apps.listNamespacedStatefulSet({ namespace, ...page })),
      list("services", (page) => this.apis.core.listNamespacedService({ namespace, ...page })),
      list("persistent volume claims", (page) =>
        this.apis.core.listNamespacedPersistentVolumeClaim({ namespace, ...page }),
      ),
      list("ingresses", (page) => this.apis.networking.listNamespacedIngress({ namespace, ...page })),
    ]);
    return { deployments, replicaSets, pods, statefulSets, services, claims, ingresses };
  }

  /**
   * An unreachable (or silent) cluster is data here, as the interface asks:
   * `reachable: false` with Unknown health. This driver keeps no earlier
   * tree, so there are no last-known nodes to show. Other failures (bad
   * credentials, RBAC) still throw: they need someone to act.
   */
  async deploymentTree(namespace: string): Promise<DeploymentTree> {
    this.assertNamespace(namespace);
    const observedAt = new Date(this.now()).toISOString();
    const base = { cluster: this.cluster, namespace, observedAt };
    try {
      try {
        await this.apis.core.readNamespace({ name: namespace });
      } catch (error) {
        if (isApiError(error, 404))
          return {
            ...base,
            reachable: true,
            health: { status: "Missing", message: `namespace ${namespace} not found` },
            nodes: [],
          };
        throw toDriverError(error, this.context(`reading namespace ${namespace}`));
      }
      const objects = await this.namespaceObjects(namespace);
      return buildDeploymentTree({ cluster: this.cluster, namespace, objects, observedAt });
    } catch (error) {
      const mapped = toDriverError(error, this.context(`reading the tree of namespace ${namespace}`));
      if (mapped.type !== "UNREACHABLE" && mapped.type !== "TIMEOUT") throw mapped;
      return {
        ...base,
        reachable: false,
        health: { status: "Unknown", message: `cluster unreachable: ${mapped.message}` },
        nodes: [],
      };
    }
  }

  /** Through the scale subresource, as `kubectl scale` does, so it works whatever else owns the spec. */
  async scale(namespace: string, kind: ScalableKind, name: string, replicas: number): Promise<ScaleResult> {
    this.assertNamespace(namespace);
    if (!scalableKindSchema.safeParse(kind).success)
      throw new ClusterDriverError("INVALID_ARGUMENT", `cannot scale a ${String(kind)}`, {
        cluster: this.cluster,
      });
    if (!Number.isInteger(replicas) || replicas < 0)
      throw new ClusterDriverError(
        "INVALID_ARGUMENT",
        `replicas must be a whole number ≥ 0, got ${replicas}`,
        {
          cluster: this.cluster,
        },
      );
    if (!objectNameSchema.safeParse(name).success)
      throw new ClusterDriverError("INVALID_ARGUMENT", `invalid ${kind} name ${JSON.stringify(name)}`, {
        cluster: this.cluster,
      });
    const apps = this.apis.apps;
    const where = `${kind}/${name} in namespace ${namespace}`;
    const current = await call(this.context(`reading the scale of ${where}`), () =>
      kind === "Deployment"
        ? apps.readNamespacedDeploymentScale({ name, namespace })
        : apps.readNamespacedStatefulSetScale({ name, namespace }),
    );
    // A merge patch of spec.replicas: what `kubectl scale` sends. The JSON-patch default would fail at 0
    // replicas, where the Scale omits the field.
    const patch = { name, namespace, body: { spec: { replicas } } };
    const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
    const scaled = await call({ ...this.context(`scaling ${where}`), invalid: "INVALID_ARGUMENT" }, () =>
      kind === "Deployment"
        ? apps.patchNamespacedDeploymentScale(patch, mergePatch)
        : apps.patchNamespacedStatefulSetScale(patch, mergePatch),
    );
    return {
      cluster: this.cluster,
      namespace,
      kind,
      name,
      replicas: scaled.spec?.replicas ?? replicas,
      previousReplicas: current.spec?.replicas ?? 0,
    };
  }

  private veleroContext(timeoutMs: number, signal?: AbortSignal): velero.VeleroContext {
    return {
      apis: signal ? this.createApis(signal) : this.apis,
      cluster: this.cluster,
      namespace: this.veleroNamespace,
      pollIntervalMs: this.pollIntervalMs,
      timeoutMs,
      signal,
    };
  }

  async backupNamespace(
    namespace: string,
    backupName: string,
    options: OperationOptions = {},
  ): Promise<BackupInfo> {
    this.assertNamespace(namespace);
    return velero.backupNamespace(
      this.veleroContext(this.backupTimeoutMs, options.signal),
      namespace,
      backupName,
    );
  }

  async restoreNamespace(
    backupName: string,
    targetNamespace: string,
    options: OperationOptions = {},
  ): Promise<RestoreInfo> {
    this.assertNamespace(targetNamespace);
    return velero.restoreNamespace(
      this.veleroContext(this.restoreTimeoutMs, options.signal),
      backupName,
      targetNamespace,
    );
  }

  backupExists(backupName: string): Promise<boolean> {
    return velero.backupExists(this.veleroContext(this.timeoutMs), backupName);
  }

  private inspection(): inspection.InspectionContext {
    return {
      apis: this.apis,
      cluster: this.cluster,
      now: this.now,
      listPaged: (operation, run) => this.listPaged(operation, run),
      openStream: async (path, query, signal) => {
        // The client has no streaming call: the request is built as its own are, and authenticated by the same kubeconfig.
        const request = new ServerConfiguration(this.server.replace(/\/+$/, ""), {}).makeRequestContext(
          path,
          HttpMethod.GET,
        );
        for (const [name, value] of Object.entries(query)) request.setQueryParam(name, value);
        await this.kubeConfig.applySecurityAuthentication(request);
        return openStream(request, { timeoutMs: this.timeoutMs, signal, pin: (host) => this.pin(host) });
      },
    };
  }

  getLiveObject(
    namespace: string,
    kind: string,
    name: string,
    options: GetLiveObjectOptions = {},
  ): Promise<LiveObject | null> {
    return inspection.getLiveObject(this.inspection(), namespace, kind, name, options.apiVersion);
  }

  readPodLogs(request: PodLogsRequest): Promise<PodLogs> {
    return inspection.readPodLogs(this.inspection(), request);
  }

  followPodLogs(request: PodLogStreamRequest, options: OperationOptions = {}): Promise<PodLogStream> {
    return inspection.followPodLogs(this.inspection(), request, options.signal);
  }

  listEvents(namespace: string, involvedObject?: { kind: string; name: string }): Promise<EventList> {
    return inspection.listEvents(this.inspection(), namespace, involvedObject);
  }

  async usage(): Promise<ClusterUsageSample> {
    const [metrics, nodes] = await Promise.all([
      readNodeMetrics(this.apis, this.cluster),
      this.listPaged("listing nodes", (page) => this.apis.core.listNode(page)),
    ]);
    return clusterUsageSample({ cluster: this.cluster, nodes, metrics, now: this.now() });
  }

  async instanceUsage(namespace: string): Promise<InstanceUsage> {
    this.assertNamespace(namespace);
    const list = <T>(what: string, run: (page: ListPage) => Promise<PagedList<T>>) =>
      this.listPaged(`listing ${what} in namespace ${namespace}`, run);
    const [metrics, pods, replicaSets, deployments, statefulSets] = await Promise.all([
      readPodMetrics(this.apis, this.cluster, namespace),
      list("pods", (page) => this.apis.core.listNamespacedPod({ namespace, ...page })),
      list("replica sets", (page) => this.apis.apps.listNamespacedReplicaSet({ namespace, ...page })),
      list("deployments", (page) => this.apis.apps.listNamespacedDeployment({ namespace, ...page })),
      list("stateful sets", (page) => this.apis.apps.listNamespacedStatefulSet({ namespace, ...page })),
    ]);
    return instanceUsageOf({
      cluster: this.cluster,
      namespace,
      objects: { pods, replicaSets, deployments, statefulSets },
      metrics,
      now: this.now(),
    });
  }

  /**
   * Reads through the same guarded transport as every other call. A cluster
   * without metrics-server (the metrics API answers 404) still gives replicas,
   * with CPU and memory listed as unavailable; a missing namespace is NOT_FOUND.
   */
  async instanceLoad(namespace: string): Promise<InstanceLoadSample> {
    this.assertNamespace(namespace);
    const list = <T>(what: string, run: (page: ListPage) => Promise<PagedList<T>>) =>
      this.listPaged(`listing ${what} in namespace ${namespace}`, run);
    const [namespaceFound, metrics, pods, replicaSets, deployments, statefulSets] = await Promise.all([
      this.apis.core.readNamespace({ name: namespace }).then(
        () => true,
        (error: unknown) => {
          if (isApiError(error, 404)) return false;
          throw toDriverError(error, this.context(`reading namespace ${namespace}`));
        },
      ),
      readPodMetrics(this.apis, this.cluster, namespace).catch((error: unknown) => {
        if (isClusterDriverError(error) && error.type === "NOT_FOUND") return null;
        throw error;
      }),
      list("pods", (page) => this.apis.core.listNamespacedPod({ namespace, ...page })),
      list("replica sets", (page) => this.apis.apps.listNamespacedReplicaSet({ namespace, ...page })),
      list("deployments", (page) => this.apis.apps.listNamespacedDeployment({ namespace, ...page })),
      list("stateful sets", (page) => this.apis.apps.listNamespacedStatefulSet({ namespace, ...page })),
    ]);
    if (!namespaceFound)
      throw new ClusterDriverError("NOT_FOUND", `cluster ${this.cluster}: namespace ${namespace} not found`, {
        cluster: this.cluster,
      });
    return instanceLoadOf({
      objects: { pods, replicaSets, deployments, statefulSets },
      metrics,
      now: this.now(),
    });
  }

  /**
   * One `instanceUsage` per namespace, a bounded number at a time (the
   * metrics API has no cross-namespace selector by instance). A cluster-wide
   * failure (unreachable, unauthorized, timeout) stops the round and throws.
   */
  async instancesUsage(namespaces: readonly string[]): Promise<InstancesUsage> {
    const pending = [...new Set(namespaces)];
    const usages: InstanceUsage[] = [];
    const failures: InstancesUsage["failures"] = [];
    let clusterError: unknown = null;
    const worker = async (): Promise<void> => {
      for (let namespace = pending.shift(); namespace !== undefined; namespace = pending.shift()) {
        if (clusterError) return;
        try {
          usages.push(await this.instanceUsage(namespace));
        } catch (error) {
          if (isClusterDriverError(error) && !CLUSTER_WIDE_ERRORS.has(error.type))
            failures.push({ namespace, error: error.toData() });
          else clusterError ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(USAGE_CONCURRENCY, pending.length) }, worker));
    // Rethrown as caught (a ClusterDriverError from the read); only its first occurrence.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (clusterError) throw clusterError;
    usages.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
    return { cluster: this.cluster, timestamp: new Date(this.now()).toISOString(), usages, failures };
  }

  /**
   * Usage over a billing period: metrics-server keeps no history, so the
   * sample read now stands for the period (see period-usage.ts for what is
   * measured and what is listed as unavailable).
   */
  async instancesPeriodUsage(namespaces: readonly string[], period: UsagePeriod): Promise<PeriodUsage> {
    if (!(Number.isFinite(period.startMs) && Number.isFinite(period.endMs) && period.endMs > period.startMs))
      throw new ClusterDriverError("INVALID_ARGUMENT", "a usage period must end after it starts", {
        cluster: this.cluster,
      });
    const [nodeMetrics, nodes, current] = await Promise.all([
      readNodeMetrics(this.apis, this.cluster),
      this.listPaged("listing nodes", (page) => this.apis.core.listNode(page)),
      this.instancesUsage(namespaces),
    ]);
    return periodUsageOf({ cluster: this.cluster, period, nodes, nodeMetrics, current });
  }

  /**
   * The instance's objects: for each kind of the prune list and of `kinds`
   * that the cluster serves namespaced, a paged list with the label selector
   * `nemo.eu/instance-id=<instanceId>`. The answers keep `managedFields`, which
   * the drift check reads to tell the console's fields from others'.
   */
  async listInstanceObjects(
    namespace: string,
    instanceId: string,
    kinds: readonly ObjectKindRef[] = [],
  ): Promise<InstanceObjects> {
    this.assertNamespace(namespace);
    if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(instanceId))
      throw new ClusterDriverError("INVALID_ARGUMENT", "an instance id must be a label value", {
        cluster: this.cluster,
      });
    const wanted = new Map<string, ObjectKindRef>();
    for (const ref of [...PRUNE_KINDS, ...kinds])
      if (ref.kind !== "Namespace") wanted.set(`${groupOf(ref.apiVersion)}/${ref.kind}`, ref);
    const selector = `${INSTANCE_ID_LABEL}=${instanceId}`;
    const objects: Record<string, unknown>[] = [];
    const lists = labelledListsByKind(
      { apis: this.apis, cluster: this.cluster },
      wanted.values(),
      namespace,
      selector,
      (kind) => `listing ${kind} of instance ${instanceId}`,
    );
    for await (const { apiVersion, kind, list } of lists) {
      const items: unknown[] = list.items;
      for (const item of items) {
        const object: unknown = item;
        // A list's items omit apiVersion and kind; put them back so callers can match manifests.
        if (isRecord(object)) objects.push({ ...object, apiVersion, kind });
      }
    }
    return { cluster: this.cluster, namespace, objects };
  }
}
