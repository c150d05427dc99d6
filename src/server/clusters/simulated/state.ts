import { type Health } from "../health";
import { type KubernetesManifest, type PodResources, type PodSpec } from "../manifests";
import { type NodeLayout } from "./cluster-spec";
import { type BackgroundProfile, type LoadProfile } from "./load-model";

/** The in-memory objects of one simulated cluster (what etcd would hold, minus what we do not model). */

export interface SimNode extends NodeLayout {
  uid: string;
  createdAt: number;
}

export interface OwnerRef {
  kind: string;
  name: string;
  uid: string;
}

/** An applied top-level object (Deployment, Service, ConfigMap, …). */
export interface SimResource {
  uid: string;
  kind: string;
  name: string;
  /** The manifest as applied (namespace and labels set); compared on re-apply to detect changes. */
  applied: KubernetesManifest;
  /** The object as the cluster holds it: `applied` plus scale changes and the load-profile annotation. */
  live: KubernetesManifest;
  /** The labels passed to apply(); pruning matches on them. */
  appliedLabels: Record<string, string>;
  /** Load profile of workload kinds (Deployment, StatefulSet, Pod). */
  profile: LoadProfile | null;
  createdAt: number;
  /** Last change of the spec: the start of the Deployment progress deadline. */
  updatedAt: number;
}

export interface SimReplicaSet {
  uid: string;
  name: string;
  owner: OwnerRef;
  templateHash: string;
  revision: number;
  replicas: number;
  createdAt: number;
}

export interface SimPod {
  uid: string;
  name: string;
  namespace: string;
  /** ReplicaSet or StatefulSet; null for a bare Pod. */
  owner: OwnerRef | null;
  /** `Kind/name` of the resource whose load profile drives this pod. */
  workloadKey: string;
  ordinal: number | null;
  templateHash: string;
  labels: Record<string, string>;
  spec: PodSpec;
  resources: PodResources;
  nodeName: string | null;
  pendingReason: string | null;
  createdAt: number;
  scheduledAt: number | null;
  /** Time from binding to Running (image pull, container start). */
  startupMs: number;
  /** Restarts frozen from crash loops that have been cleared. */
  restartsBase: number;
  /** Creation order, which is also the scheduling queue order. */
  seq: number;
}

export interface SimClaim {
  uid: string;
  name: string;
  owner: OwnerRef | null;
  storageBytes: number;
  /** Share of the volume holding data (seeded per instance and claim, so a restore keeps it). */
  fillFraction: number;
  createdAt: number;
}

export interface SimNamespace {
  name: string;
  uid: string;
  createdAt: number;
  labels: Record<string, string>;
  resources: Map<string, SimResource>;
  replicaSets: Map<string, SimReplicaSet>;
  pods: Map<string, SimPod>;
  claims: Map<string, SimClaim>;
}

export type PodPhase = "Pending" | "ContainerCreating" | "Running" | "CrashLoopBackOff" | "Unknown";

export interface PodStatus {
  phase: PodPhase;
  ready: boolean;
  restarts: number;
  health: Health;
}

export function resourceKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** What the tree and metrics builders read from a cluster. */
export interface ClusterView {
  readonly name: string;
  readonly seed: number;
  readonly reachable: boolean;
  readonly storageBytes: number;
  readonly background: BackgroundProfile;
  nodeList(): readonly SimNode[];
  namespaceState(name: string): SimNamespace | undefined;
  namespaceStates(): Iterable<SimNamespace>;
  podStatus(pod: SimPod, now: number): PodStatus;
  /** Demand multiplier from injected load spikes. */
  loadFactor(namespace: string): number;
}
