import { INSTANCE_ID_LABEL } from "../driver";
import {
  deploymentSchema,
  desiredReplicas,
  parseManifestAs,
  podManifestSchema,
  podResources,
  type PodSpec,
  statefulSetSchema,
  storageRequestBytes,
} from "../manifests";
import { hashSuffix, randomFor, randomSuffix, stableStringify, uniformFor } from "./prng";
import {
  type OwnerRef,
  resourceKey,
  type SimClaim,
  type SimNamespace,
  type SimPod,
  type SimReplicaSet,
  type SimResource,
} from "./state";
import { type SimulationTiming } from "./timing";

/**
 * The workload controllers of a simulated cluster: what the Deployment,
 * ReplicaSet and StatefulSet controllers and the garbage collector do, minus
 * the waiting. They create and delete pods; binding them to nodes is the
 * scheduler's job, which the cluster runs after every change.
 */

const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/** What the controllers need from their cluster. */
export interface ControllerHost {
  readonly name: string;
  readonly seed: number;
  readonly timing: SimulationTiming;
  now(): number;
  nextUid(): string;
}

/** A pod to create: what the controllers hand to `createPod`. */
interface PodBlueprint {
  name: string;
  owner: OwnerRef | null;
  workloadKey: string;
  ordinal: number | null;
  templateHash: string;
  labels: Record<string, string>;
  spec: PodSpec;
  where: string;
}

export class WorkloadControllers {
  constructor(
    private readonly host: ControllerHost,
    /** Creation index of the next pod; restored from a snapshot to keep names and queue order. */
    private podSeq = 0,
  ) {}

  get podSequence(): number {
    return this.podSeq;
  }

  reconcile(ns: SimNamespace, resource: SimResource): void {
    if (resource.kind === "Deployment") this.reconcileDeployment(ns, resource);
    else if (resource.kind === "StatefulSet") this.reconcileStatefulSet(ns, resource);
    else if (resource.kind === "Pod") this.reconcileBarePod(ns, resource);
  }

  private ownerRef(resource: { kind: string; name: string; uid: string }): OwnerRef {
    return { kind: resource.kind, name: resource.name, uid: resource.uid };
  }

  private reconcileDeployment(ns: SimNamespace, resource: SimResource): void {
    const deployment = parseManifestAs(deploymentSchema, resource.live);
    const template = deployment.spec.template;
    const templateHash = hashSuffix(stableStringify(template));
    const owned = [...ns.replicaSets.values()].filter((rs) => rs.owner.uid === resource.uid);
    let current = owned.find((rs) => rs.templateHash === templateHash);
    if (!current) {
      current = {
        uid: this.host.nextUid(),
        name: `${resource.name}-${templateHash}`,
        owner: this.ownerRef(resource),
        templateHash,
        revision: owned.reduce((max, rs) => Math.max(max, rs.revision), 0) + 1,
        replicas: 0,
        createdAt: this.host.now(),
      };
      ns.replicaSets.set(current.name, current);
      owned.push(current);
    }
    // A rollout here is instantaneous: the new ReplicaSet takes all replicas, older ones drop to zero.
    for (const rs of owned) {
      rs.replicas = rs === current ? desiredReplicas(deployment) : 0;
      this.syncReplicaSetPods(ns, rs, resource, template.metadata?.labels ?? {}, template.spec);
    }
    const limit = deployment.spec.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
    const history = owned.filter((rs) => rs !== current).sort((a, b) => a.revision - b.revision);
    while (history.length > limit) {
      const oldest = history.shift();
      if (oldest) ns.replicaSets.delete(oldest.name);
    }
  }

  private syncReplicaSetPods(
    ns: SimNamespace,
    rs: SimReplicaSet,
    resource: SimResource,
    labels: Record<string, string>,
    spec: PodSpec,
  ): void {
    const pods = [...ns.pods.values()].filter((pod) => pod.owner?.uid === rs.uid);
    if (pods.length > rs.replicas) {
      // Like the ReplicaSet controller: unscheduled first, then not yet started, then the newest.
      const rank = (pod: SimPod) => (pod.nodeName === null ? 0 : pod.scheduledAt === null ? 1 : 2);
      const victims = pods
        .sort((a, b) => rank(a) - rank(b) || b.seq - a.seq)
        .slice(0, pods.length - rs.replicas);
      for (const pod of victims) ns.pods.delete(pod.name);
      return;
    }
    for (let i = pods.length; i < rs.replicas; i++) {
      this.createPod(ns, {
        name: this.generatePodName(ns, rs.name),
        owner: this.ownerRef({ kind: "ReplicaSet", name: rs.name, uid: rs.uid }),
        workloadKey: resourceKey(resource.kind, resource.name),
        ordinal: null,
        templateHash: rs.templateHash,
        labels: { ...labels, "pod-template-hash": rs.templateHash },
        spec,
        where: `Deployment/${resource.name}`,
      });
    }
  }

  private reconcileStatefulSet(ns: SimNamespace, resource: SimResource): void {
    const statefulSet = parseManifestAs(statefulSetSchema, resource.live);
    const template = statefulSet.spec.template;
    const templateHash = hashSuffix(stableStringify(template));
    const replicas = desiredReplicas(statefulSet);
    const owner = this.ownerRef(resource);
    for (const pod of [...ns.pods.values()]) {
      if (pod.owner?.uid !== resource.uid) continue;
      // Scale-down removes the highest ordinals; a template change replaces pods (an instant rolling update).
      if ((pod.ordinal ?? 0) >= replicas || pod.templateHash !== templateHash) ns.pods.delete(pod.name);
    }
    for (let ordinal = 0; ordinal < replicas; ordinal++) {
      const name = `${resource.name}-${ordinal}`;
      if (!ns.pods.has(name))
        this.createPod(ns, {
          name,
          owner,
          workloadKey: resourceKey(resource.kind, resource.name),
          ordinal,
          templateHash,
          labels: {
            ...template.metadata?.labels,
            "controller-revision-hash": `${resource.name}-${templateHash}`,
            "statefulset.kubernetes.io/pod-name": name,
          },
          spec: template.spec,
          where: `StatefulSet/${resource.name}`,
        });
      // Claims outlive scale-down and pod replacement, as PersistentVolumeClaims of a StatefulSet do.
      for (const claim of statefulSet.spec.volumeClaimTemplates ?? []) {
        const claimName = `${claim.metadata.name}-${name}`;
        if (ns.claims.has(claimName)) continue;
        ns.claims.set(claimName, this.newClaim(ns, claimName, owner, storageRequestBytes(claim.spec, name)));
      }
    }
  }

  private newClaim(ns: SimNamespace, name: string, owner: OwnerRef | null, storageBytes: number): SimClaim {
    return {
      uid: this.host.nextUid(),
      name,
      owner,
      storageBytes,
      fillFraction: uniformFor(
        this.host.seed,
        0.1,
        0.5,
        "fill",
        ns.labels[INSTANCE_ID_LABEL] ?? ns.name,
        name,
      ),
      createdAt: this.host.now(),
    };
  }

  private reconcileBarePod(ns: SimNamespace, resource: SimResource): void {
    const manifest = parseManifestAs(podManifestSchema, resource.live);
    const labels = manifest.metadata.labels ?? {};
    const templateHash = hashSuffix(stableStringify({ labels, spec: manifest.spec }));
    const existing = ns.pods.get(resource.name);
    if (existing && existing.owner === null && existing.templateHash === templateHash) return;
    // Pod specs are immutable: a changed bare pod is replaced.
    if (existing) ns.pods.delete(existing.name);
    this.createPod(ns, {
      name: resource.name,
      owner: null,
      workloadKey: resourceKey("Pod", resource.name),
      ordinal: null,
      templateHash,
      labels,
      spec: manifest.spec,
      where: `Pod/${resource.name}`,
    });
  }

  private generatePodName(ns: SimNamespace, prefix: string): string {
    for (let attempt = 0; ; attempt++) {
      const random = randomFor(this.host.seed, this.host.name, ns.name, prefix, this.podSeq, attempt);
      const name = `${prefix}-${randomSuffix(random, 5)}`;
      if (!ns.pods.has(name)) return name;
    }
  }

  private createPod(ns: SimNamespace, blueprint: PodBlueprint): SimPod {
    const uid = this.host.nextUid();
    const { podStartupMinMs: min, podStartupMaxMs: max } = this.host.timing;
    const pod: SimPod = {
      uid,
      name: blueprint.name,
      namespace: ns.name,
      owner: blueprint.owner,
      workloadKey: blueprint.workloadKey,
      ordinal: blueprint.ordinal,
      templateHash: blueprint.templateHash,
      labels: blueprint.labels,
      spec: blueprint.spec,
      resources: podResources(blueprint.spec, blueprint.where),
      nodeName: null,
      pendingReason: null,
      createdAt: this.host.now(),
      scheduledAt: null,
      startupMs: Math.round(
        uniformFor(this.host.seed, min, Math.max(min, max), this.host.name, "startup", uid),
      ),
      restartsBase: 0,
      seq: this.podSeq++,
    };
    ns.pods.set(pod.name, pod);
    return pod;
  }

  deleteResource(ns: SimNamespace, resource: SimResource): void {
    // Garbage collection of dependents; StatefulSet claims are retained, as Kubernetes retains them.
    for (const rs of [...ns.replicaSets.values()]) {
      if (rs.owner.uid !== resource.uid) continue;
      for (const pod of [...ns.pods.values()]) if (pod.owner?.uid === rs.uid) ns.pods.delete(pod.name);
      ns.replicaSets.delete(rs.name);
    }
    for (const pod of [...ns.pods.values()]) {
      const ownedByResource = pod.owner?.uid === resource.uid;
      const isThePod = resource.kind === "Pod" && pod.owner === null && pod.name === resource.name;
      if (ownedByResource || isThePod) ns.pods.delete(pod.name);
    }
    ns.resources.delete(resourceKey(resource.kind, resource.name));
  }
}
