import {
  type ApplyOptions,
  applyOptionsSchema,
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
  type InstanceLoadSample,
  type InstanceUsage,
  type InstancesUsage,
  type InstanceObjects,
  type PeriodUsage,
  type UsagePeriod,
  type ObjectKindRef,
  type LiveObject,
  LIVE_OBJECT_API_VERSIONS,
  namespaceNameSchema,
  objectKindSchema,
  objectNameSchema,
  type OperationOptions,
  type PodLogLine,
  type PodLogs,
  type PodLogsRequest,
  POD_LOG_STREAM_LIMITS,
  type PodLogStream,
  podLogStreamRequestSchema,
  type PodLogStreamRequest,
  type RestoreInfo,
  type ScaleResult,
} from "../driver";
import { ClusterDriverError, isClusterDriverError, toClusterErrorData } from "../errors";
import { boundedLogEvents, waitingEvents } from "../log-stream";
import { type ClusterCredential } from "../kubeconfig";
import { type KubernetesManifest, parseManifests, type ScalableKind, scalableKindSchema } from "../manifests";
import * as backups from "./backup-ops";
import { type SimulatedClusterAccess, type SimulatedClusterHost } from "./host";
import { type SimulatedCluster } from "./simulated-cluster";

/**
 * How often a follow reads the simulated container's new lines, in the
 * continuum's time (a manual clock's sleep advances it): the log is derived
 * from the clock, so what the container "wrote" since the last read appears.
 */
export const SIMULATED_FOLLOW_POLL_MS = 1_000;

export interface SimulatedClusterDriverOptions {
  /** Where the cluster lives: an in-memory `SimulatedContinuum` or the PostgreSQL-shared one. */
  continuum: SimulatedClusterHost;
  /** Name of the cluster in the continuum (the `<name>` of `sim://<name>`). */
  cluster: string;
  /** What the caller authenticates with; checked against the cluster's `bearerToken`, if it has one. */
  credential?: ClusterCredential;
}

/**
 * `ClusterDriver` over one cluster of a simulated continuum. It adds what a
 * network client adds: asynchrony, input validation at the boundary and
 * authentication; the cluster itself does the rest. Reads go through
 * `access.read` and changes through `access.update`, which is what lets a
 * shared store skip writing (and locking) for reads.
 */
export class SimulatedClusterDriver implements ClusterDriver {
  readonly kind = "simulated" as const;
  readonly cluster: string;
  private readonly continuum: SimulatedClusterHost;
  private readonly credential: ClusterCredential;
  /** Authenticated access; the cluster is looked up on every call, as it may be registered after the driver. */
  private readonly target: SimulatedClusterAccess;

  constructor(options: SimulatedClusterDriverOptions) {
    this.continuum = options.continuum;
    this.cluster = options.cluster;
    this.credential = options.credential ?? { type: "none" };
    this.target = this.continuum.access(this.cluster, (cluster) => this.authenticate(cluster));
  }

  private authenticate(cluster: SimulatedCluster): void {
    const expected = cluster.spec.bearerToken;
    if (expected === undefined) return;
    const presented = this.credential.type === "bearer-token" ? this.credential.token : undefined;
    if (presented !== expected)
      throw new ClusterDriverError(
        "UNAUTHORIZED",
        `cluster ${this.cluster} rejected the credentials (401 Unauthorized)`,
        {
          cluster: this.cluster,
        },
      );
  }

  async connect(): Promise<ConnectResult> {
    try {
      return { ok: true, info: await this.target.read((cluster) => cluster.serverInfo()) };
    } catch (error) {
      return { ok: false, error: toClusterErrorData(error, this.cluster) };
    }
  }

  async properties(): Promise<ClusterProperties> {
    return this.continuum.access(this.cluster).read((cluster) => cluster.properties());
  }

  async apply(
    namespace: string,
    manifests: readonly KubernetesManifest[],
    options: ApplyOptions,
  ): Promise<ApplyResult> {
    const parsedOptions = applyOptionsSchema.safeParse(options);
    if (!parsedOptions.success)
      throw new ClusterDriverError("INVALID_ARGUMENT", "apply options need a labels object of strings", {
        cluster: this.cluster,
      });
    return this.target.update((cluster) =>
      cluster.apply(namespace, parseManifests(manifests), parsedOptions.data),
    );
  }

  async deleteNamespace(namespace: string): Promise<DeleteNamespaceResult> {
    return this.target.update((cluster) => cluster.deleteNamespace(namespace));
  }

  async deploymentTree(namespace: string): Promise<DeploymentTree> {
    return this.target.read((cluster) => cluster.deploymentTree(namespace));
  }

  async scale(namespace: string, kind: ScalableKind, name: string, replicas: number): Promise<ScaleResult> {
    if (!scalableKindSchema.safeParse(kind).success)
      throw new ClusterDriverError("INVALID_ARGUMENT", `cannot scale a ${String(kind)}`, {
        cluster: this.cluster,
      });
    return this.target.update((cluster) => cluster.scale(namespace, kind, name, replicas));
  }

  async backupNamespace(
    namespace: string,
    backupName: string,
    options?: OperationOptions,
  ): Promise<BackupInfo> {
    return backups.backupNamespace(this.continuum, this.target, namespace, backupName, options);
  }

  async restoreNamespace(
    backupName: string,
    targetNamespace: string,
    options?: OperationOptions,
  ): Promise<RestoreInfo> {
    return backups.restoreNamespace(this.continuum, this.target, backupName, targetNamespace, options);
  }

  async backupExists(backupName: string): Promise<boolean> {
    return backups.backupExists(this.continuum, this.target, backupName);
  }

  private assertObject(namespace: string, kind: string, name: string): void {
    const problem = !namespaceNameSchema.safeParse(namespace).success
      ? `invalid namespace ${JSON.stringify(namespace)}`
      : !objectKindSchema.safeParse(kind).success
        ? `invalid kind ${JSON.stringify(kind)}`
        : !objectNameSchema.safeParse(name).success
          ? `invalid ${kind} name ${JSON.stringify(name)}`
          : null;
    if (problem) throw new ClusterDriverError("INVALID_ARGUMENT", problem, { cluster: this.cluster });
  }

  async getLiveObject(
    namespace: string,
    kind: string,
    name: string,
    options: GetLiveObjectOptions = {},
  ): Promise<LiveObject | null> {
    this.assertObject(namespace, kind, name);
    const object = await this.target.read((cluster) => cluster.liveObject(namespace, kind, name));
    // Same answer as a real server: an object of that kind in another API version is not that object.
    const apiVersion = options.apiVersion ?? LIVE_OBJECT_API_VERSIONS[kind];
    if (object && apiVersion !== undefined && object.apiVersion !== apiVersion) return null;
    return object;
  }

  async readPodLogs(request: PodLogsRequest): Promise<PodLogs> {
    return this.target.read((cluster) => cluster.podLogs(request));
  }

  /**
   * Follows a simulated container: every SIMULATED_FOLLOW_POLL_MS of the
   * continuum's clock, the lines written since the last one (the same
   * derivation as `readPodLogs`, so a follow and a later tail agree line for
   * line). Ends with "ended" when the pod goes away.
   */
  async followPodLogs(request: PodLogStreamRequest, options: OperationOptions = {}): Promise<PodLogStream> {
    const parsed = podLogStreamRequestSchema.safeParse(request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ClusterDriverError(
        "INVALID_ARGUMENT",
        `invalid log request: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim(),
        { cluster: this.cluster },
      );
    }
    const { namespace, pod, sinceCursor } = parsed.data;
    const tailLines = parsed.data.tailLines ?? 0;
    const first = await this.readPodLogs({
      namespace,
      pod,
      container: parsed.data.container,
      ...(sinceCursor !== undefined ? { sinceCursor } : { tailLines: Math.max(1, tailLines) }),
    });
    const { lines: _lines, cursor: _cursor, truncated: _truncated, notice, ...base } = first;
    if (notice !== null) return { ...base, notice, events: waitingEvents(notice) };
    const initial: PodLogLine[] = sinceCursor !== undefined || tailLines > 0 ? first.lines : [];
    let cursor =
      sinceCursor !== undefined || tailLines > 0
        ? (first.cursor ?? new Date(this.continuum.now()).toISOString())
        : new Date(this.continuum.now()).toISOString();
    const read = (since: string) =>
      this.readPodLogs({ namespace, pod, container: base.container, sinceCursor: since });
    const continuum = this.continuum;
    async function* source(signal: AbortSignal): AsyncGenerator<PodLogLine[]> {
      if (initial.length > 0) yield initial;
      for (;;) {
        await continuum.sleep(SIMULATED_FOLLOW_POLL_MS, signal);
        let logs: PodLogs;
        try {
          logs = await read(cursor);
        } catch (error) {
          // The pod was deleted (scaled down, re-placed): its log ends, as the API server ends a follow.
          if (isClusterDriverError(error) && error.type === "NOT_FOUND") return;
          throw error;
        }
        cursor = logs.cursor ?? cursor;
        // Empty batches too: the bounds check the duration at every poll, even of a silent container.
        yield logs.lines;
      }
    }
    return {
      ...base,
      notice: null,
      events: boundedLogEvents(source, {
        now: () => this.continuum.now(),
        linesPerSecond: parsed.data.linesPerSecond ?? POD_LOG_STREAM_LIMITS.defaultLinesPerSecond,
        maxDurationMs: parsed.data.maxDurationMs ?? POD_LOG_STREAM_LIMITS.defaultMaxDurationMs,
        signal: options.signal,
      }),
    };
  }

  async listEvents(namespace: string, involvedObject?: { kind: string; name: string }): Promise<EventList> {
    if (involvedObject) this.assertObject(namespace, involvedObject.kind, involvedObject.name);
    else this.assertObject(namespace, "Namespace", namespace);
    return this.target.read((cluster) => cluster.events(namespace, involvedObject));
  }

  async usage(): Promise<ClusterUsageSample> {
    return this.target.read((cluster) => cluster.usage());
  }

  async instanceUsage(namespace: string): Promise<InstanceUsage> {
    return this.target.read((cluster) => cluster.instanceUsage(namespace));
  }

  async instanceLoad(namespace: string): Promise<InstanceLoadSample> {
    if (!namespaceNameSchema.safeParse(namespace).success)
      throw new ClusterDriverError("INVALID_ARGUMENT", "namespace must be a DNS-1123 label", {
        cluster: this.cluster,
      });
    return this.target.read((cluster) => cluster.instanceLoad(namespace));
  }

  async instancesUsage(namespaces: readonly string[]): Promise<InstancesUsage> {
    return this.target.read((cluster) => cluster.instancesUsage(namespaces));
  }

  async instancesPeriodUsage(namespaces: readonly string[], period: UsagePeriod): Promise<PeriodUsage> {
    return this.target.read((cluster) => cluster.instancesPeriodUsage(namespaces, period));
  }

  /** Every kind the simulated cluster holds is listed, so `kinds` adds nothing here. */
  async listInstanceObjects(
    namespace: string,
    instanceId: string,
    _kinds?: readonly ObjectKindRef[],
  ): Promise<InstanceObjects> {
    const objects = await this.target.read((cluster) => cluster.listInstanceObjects(namespace, instanceId));
    return { cluster: this.cluster, namespace, objects };
  }
}
