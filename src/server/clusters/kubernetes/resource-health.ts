import {
  type V1Deployment,
  type V1Ingress,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1ReplicaSet,
  type V1Service,
  type V1StatefulSet,
} from "@kubernetes/client-node";
import { type Health } from "../health";

/**
 * Health and STATUS text of live objects, after Argo CD's health checks
 * (gitops-engine `pkg/health`) and kubectl's pod STATUS column, so a real
 * cluster's tree reads like the simulated one.
 */

/** Container waiting reasons that will not resolve by waiting. */
const FAILING_WAIT_REASONS = new Set([
  "CrashLoopBackOff",
  "ErrImagePull",
  "ImagePullBackOff",
  "InvalidImageName",
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
]);

/** What `kubectl get pod` shows in STATUS. */
export function podStatusText(pod: V1Pod): string {
  const status = pod.status;
  let reason = status?.reason ?? status?.phase ?? "Unknown";
  let initializing = false;
  const inits = status?.initContainerStatuses ?? [];
  inits.forEach((init, index) => {
    if (initializing) return;
    const terminated = init.state?.terminated;
    const waiting = init.state?.waiting;
    if (terminated && terminated.exitCode === 0) return;
    initializing = true;
    if (terminated) reason = `Init:${terminated.reason ?? `ExitCode:${terminated.exitCode}`}`;
    else if (waiting?.reason && waiting.reason !== "PodInitializing") reason = `Init:${waiting.reason}`;
    else reason = `Init:${index}/${inits.length}`;
  });
  if (!initializing) {
    let running = false;
    for (const container of [...(status?.containerStatuses ?? [])].reverse()) {
      const { waiting, terminated, running: isRunning } = container.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated)
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      else if (isRunning && container.ready) running = true;
    }
    if (reason === "Completed" && running) reason = "Running";
  }
  if (pod.metadata?.deletionTimestamp) reason = status?.reason === "NodeLost" ? "Unknown" : "Terminating";
  return reason;
}

export function podHealth(pod: V1Pod): Health {
  if (pod.metadata?.deletionTimestamp) return { status: "Progressing", message: "pod is terminating" };
  const status = pod.status;
  const containers = [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])];
  const failing = containers.find((c) => FAILING_WAIT_REASONS.has(c.state?.waiting?.reason ?? ""));
  const failingMessage = failing
    ? `container ${failing.name}: ${failing.state?.waiting?.reason}${failing.state?.waiting?.message ? `: ${failing.state.waiting.message}` : ""}`
    : undefined;
  switch (status?.phase) {
    case "Succeeded":
      return { status: "Healthy", message: status.message };
    case "Failed":
      return { status: "Degraded", message: status.message ?? status.reason ?? "pod failed" };
    case "Pending": {
      if (failingMessage) return { status: "Degraded", message: failingMessage };
      const unscheduled = status.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
      return { status: "Progressing", message: unscheduled?.message ?? status.message };
    }
    case "Running": {
      if (failingMessage) return { status: "Degraded", message: failingMessage };
      // Pods of Jobs (restartPolicy OnFailure/Never) are on their way to completing while running.
      if ((pod.spec?.restartPolicy ?? "Always") !== "Always") return { status: "Progressing" };
      const ready = (status.containerStatuses ?? []).every((c) => c.ready);
      return ready ? { status: "Healthy" } : { status: "Progressing", message: "containers not ready" };
    }
    default:
      return { status: "Unknown", message: status?.message ?? "pod status unknown" };
  }
}

export function deploymentHealth(deployment: V1Deployment): Health {
  const spec = deployment.spec;
  const status = deployment.status ?? {};
  if (spec?.paused) return { status: "Suspended", message: "Deployment is paused" };
  const generation = deployment.metadata?.generation ?? 0;
  if (generation > (status.observedGeneration ?? 0))
    return {
      status: "Progressing",
      message: "Waiting for rollout to finish: observed deployment generation less than desired generation",
    };
  const progressing = status.conditions?.find((c) => c.type === "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded")
    return {
      status: "Degraded",
      message: `Deployment "${deployment.metadata?.name}" exceeded its progress deadline`,
    };
  const desired = spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const replicas = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < desired)
    return {
      status: "Progressing",
      message: `Waiting for rollout to finish: ${updated} out of ${desired} new replicas have been updated...`,
    };
  if (replicas > updated)
    return {
      status: "Progressing",
      message: `Waiting for rollout to finish: ${replicas - updated} old replicas are pending termination...`,
    };
  if (available < updated)
    return {
      status: "Progressing",
      message: `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...`,
    };
  return { status: "Healthy" };
}

export function replicaSetHealth(replicaSet: V1ReplicaSet): Health {
  const status = replicaSet.status;
  if ((replicaSet.metadata?.generation ?? 0) > (status?.observedGeneration ?? 0))
    return { status: "Progressing", message: "Waiting for rollout to finish: observed generation is behind" };
  const failure = status?.conditions?.find((c) => c.type === "ReplicaFailure" && c.status === "True");
  if (failure) return { status: "Degraded", message: failure.message };
  const desired = replicaSet.spec?.replicas ?? 1;
  const available = status?.availableReplicas ?? 0;
  if (available < desired)
    return {
      status: "Progressing",
      message: `Waiting for rollout to finish: ${available} out of ${desired} new replicas are available...`,
    };
  return { status: "Healthy" };
}

export function statefulSetHealth(statefulSet: V1StatefulSet): Health {
  const status = statefulSet.status;
  const observed = status?.observedGeneration ?? 0;
  if (observed === 0 || (statefulSet.metadata?.generation ?? 0) > observed)
    return { status: "Progressing", message: "Waiting for statefulset spec update to be observed..." };
  const desired = statefulSet.spec?.replicas ?? 1;
  const ready = status?.readyReplicas ?? 0;
  if (ready < desired)
    return { status: "Progressing", message: `Waiting for ${desired - ready} pods to be ready...` };
  const strategy = statefulSet.spec?.updateStrategy;
  if (strategy?.type === "OnDelete") return { status: "Healthy" };
  const partition = strategy?.rollingUpdate?.partition;
  if (partition !== undefined) {
    const updated = status?.updatedReplicas ?? 0;
    if (updated < desired - partition)
      return {
        status: "Progressing",
        message: `Waiting for partitioned roll out to finish: ${updated} out of ${desired - partition} new pods have been updated...`,
      };
    return { status: "Healthy" };
  }
  if (status?.updateRevision && status.currentRevision !== status.updateRevision)
    return {
      status: "Progressing",
      message: `waiting for statefulset rolling update to complete ${status.updatedReplicas ?? 0} pods at revision ${status.updateRevision}...`,
    };
  return { status: "Healthy" };
}

export function serviceHealth(service: V1Service): Health {
  if (service.spec?.type === "LoadBalancer" && !(service.status?.loadBalancer?.ingress?.length ?? 0))
    return { status: "Progressing", message: "waiting for the load balancer address" };
  return { status: "Healthy" };
}

export function claimHealth(claim: V1PersistentVolumeClaim): Health {
  switch (claim.status?.phase) {
    case "Bound":
      return { status: "Healthy" };
    case "Lost":
      return { status: "Degraded", message: "the bound volume is lost" };
    case "Pending":
      return { status: "Progressing", message: "waiting for a volume" };
    default:
      return { status: "Unknown" };
  }
}

export function ingressHealth(ingress: V1Ingress): Health {
  return ingress.status?.loadBalancer?.ingress?.length
    ? { status: "Healthy" }
    : { status: "Progressing", message: "waiting for an address" };
}
