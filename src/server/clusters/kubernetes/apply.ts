import { PatchStrategy, type V1APIResource } from "@kubernetes/client-node";
import {
  type ApplyAction,
  type ApplyOptions,
  applyOptionsSchema,
  type ApplyResult,
  namespaceNameSchema,
  type PodSecurityLevel,
} from "../driver";
import { ClusterDriverError } from "../errors";
import { type KubernetesManifest, parseManifests } from "../manifests";
import { call, isApiError, toDriverError } from "./api-errors";
import { type KubernetesApis } from "./client";
import { delay } from "./poll";
import {
  appliedByConsole,
  FIELD_MANAGER,
  groupOf,
  isRecord,
  labelSelector,
  type LiveObject,
  liveListSchema,
  liveObjectSchema,
} from "./objects";

/**
 * `apply()` for a real cluster: ensure the namespace, then server-side apply
 * every manifest into it (field manager `nemo-console`, forced, so the
 * console owns what it declares even if someone edited it by hand), then
 * prune what an earlier apply with the same labels created and this one no
 * longer declares.
 */

/**
 * Helm's install order (CRDs first, so custom resources that follow can be
 * discovered), so dependencies exist before what uses them. Unknown kinds go last.
 */
const INSTALL_ORDER = [
  "CustomResourceDefinition",
  "Namespace",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodDisruptionBudget",
  "ServiceAccount",
  "Secret",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicationController",
  "ReplicaSet",
  "Deployment",
  "HorizontalPodAutoscaler",
  "StatefulSet",
  "Job",
  "CronJob",
  "IngressClass",
  "Ingress",
  "APIService",
];

/**
 * Kinds looked at for pruning besides those in the manifests, as kubectl's
 * default prune list: a kind an earlier version of a chart had and the
 * current one dropped is only found if it is listed here.
 */
export const PRUNE_KINDS: ReadonlyArray<{ apiVersion: string; kind: string }> = [
  { apiVersion: "v1", kind: "ConfigMap" },
  { apiVersion: "v1", kind: "Secret" },
  { apiVersion: "v1", kind: "Service" },
  { apiVersion: "v1", kind: "ServiceAccount" },
  { apiVersion: "v1", kind: "PersistentVolumeClaim" },
  { apiVersion: "v1", kind: "Pod" },
  { apiVersion: "apps/v1", kind: "Deployment" },
  { apiVersion: "apps/v1", kind: "StatefulSet" },
  { apiVersion: "apps/v1", kind: "DaemonSet" },
  { apiVersion: "batch/v1", kind: "Job" },
  { apiVersion: "batch/v1", kind: "CronJob" },
  { apiVersion: "networking.k8s.io/v1", kind: "Ingress" },
  { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" },
  { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler" },
  { apiVersion: "policy/v1", kind: "PodDisruptionBudget" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role" },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding" },
];

/** Set by the API server; sending them in an apply is at best ignored, at worst a conflict. */
const SERVER_METADATA_FIELDS = [
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
];

/** Kinds whose pod template gets the labels too, and where that template is. */
const POD_TEMPLATE_PATHS: Readonly<Record<string, ReadonlyArray<readonly string[]>>> = {
  Deployment: [["spec", "template"]],
  StatefulSet: [["spec", "template"]],
  DaemonSet: [["spec", "template"]],
  ReplicaSet: [["spec", "template"]],
  Job: [["spec", "template"]],
  CronJob: [
    ["spec", "jobTemplate"],
    ["spec", "jobTemplate", "spec", "template"],
  ],
};

interface Planned {
  apiVersion: string;
  kind: string;
  name: string;
  namespaced: boolean;
  body: KubernetesManifest;
}

export interface ApplyContext {
  apis: KubernetesApis;
  cluster: string;
  /** From the apply options: an admin approved cluster-scoped objects for the workload. */
  allowClusterScoped?: boolean;
}

const identity = (apiVersion: string, kind: string, name: string) => `${groupOf(apiVersion)}/${kind}/${name}`;

function installRank(kind: string): number {
  const index = INSTALL_ORDER.indexOf(kind);
  return index < 0 ? INSTALL_ORDER.length : index;
}

function withLabels(target: Record<string, unknown>, labels: Record<string, string>): void {
  const metadata = isRecord(target.metadata) ? target.metadata : {};
  const existing = isRecord(metadata.labels) ? metadata.labels : {};
  target.metadata = { ...metadata, labels: { ...existing, ...labels } };
}

function childRecord(root: Record<string, unknown>, path: readonly string[]): Record<string, unknown> | null {
  let current: unknown = root;
  for (const key of path) {
    if (!isRecord(current)) return null;
    current = current[key];
  }
  return isRecord(current) ? current : null;
}

/** The object as it is sent: in the instance namespace (or none when cluster-scoped), labels merged. */
function prepare(
  manifest: KubernetesManifest,
  namespace: string,
  namespaced: boolean,
  labels: Record<string, string>,
): KubernetesManifest {
  const body = structuredClone(manifest);
  delete body.status;
  const metadata: Record<string, unknown> = { ...body.metadata };
  for (const field of SERVER_METADATA_FIELDS) delete metadata[field];
  if (namespaced) metadata.namespace = namespace;
  else delete metadata.namespace;
  body.metadata = {
    ...metadata,
    name: manifest.metadata.name,
    labels: { ...manifest.metadata.labels, ...labels },
  };
  // Pods carry the labels too, so an instance's pods can be selected and its usage attributed.
  for (const path of POD_TEMPLATE_PATHS[manifest.kind] ?? []) {
    const template = childRecord(body, path);
    if (template) withLabels(template, labels);
  }
  return body;
}

/**
 * Pod Security Admission labels for the instance namespace: the cluster itself
 * then refuses privileged pods, host paths and host networking at the level
 * the console is configured for (`restricted` unless an admin chose otherwise).
 */
function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  return {
    "pod-security.kubernetes.io/enforce": level,
    "pod-security.kubernetes.io/audit": level,
    "pod-security.kubernetes.io/warn": level,
  };
}

function invalidManifest(cluster: string, message: string): ClusterDriverError {
  return new ClusterDriverError("INVALID_MANIFEST", `cluster ${cluster}: ${message}`, { cluster });
}

async function ensureNamespace(
  context: ApplyContext,
  namespace: string,
  labels: Record<string, string>,
): Promise<void> {
  try {
    await context.apis.core.createNamespace({
      body: { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels } },
    });
  } catch (error) {
    // Already there (an earlier apply of the same instance): nothing to do.
    if (isApiError(error, 409)) return;
    throw toDriverError(error, { cluster: context.cluster, operation: `creating namespace ${namespace}` });
  }
}

/**
 * Discovery for every manifest before anything is changed, so a kind the
 * cluster does not serve fails the apply up front. Kinds whose CRD is in the
 * same batch cannot be discovered yet; they are resolved when their turn comes.
 */
async function plan(
  context: ApplyContext,
  namespace: string,
  manifests: readonly KubernetesManifest[],
  labels: Record<string, string>,
): Promise<Array<Planned | { pending: KubernetesManifest }>> {
  const crdGroups = new Set(
    manifests.flatMap((m) => {
      if (m.kind !== "CustomResourceDefinition" || !isRecord(m.spec)) return [];
      return typeof m.spec.group === "string" ? [m.spec.group] : [];
    }),
  );
  const ordered = [...manifests].sort((a, b) => installRank(a.kind) - installRank(b.kind));
  const planned: Array<Planned | { pending: KubernetesManifest }> = [];
  for (const manifest of ordered) {
    if (crdGroups.has(groupOf(manifest.apiVersion))) {
      planned.push({ pending: manifest });
      continue;
    }
    planned.push(await planOne(context, namespace, manifest, labels));
  }
  return planned;
}

/** How long a custom resource waits for the CRD applied just before it to be served. */
const CRD_DISCOVERY_ATTEMPTS = 10;
const CRD_DISCOVERY_INTERVAL_MS = 300;

async function planOne(
  context: ApplyContext,
  namespace: string,
  manifest: KubernetesManifest,
  labels: Record<string, string>,
  attempts = 1,
): Promise<Planned> {
  const { apiVersion, kind } = manifest;
  const name = manifest.metadata.name;
  let resource: V1APIResource | undefined;
  for (let attempt = 1; attempt <= attempts && !resource; attempt++) {
    if (attempt > 1) await delay(CRD_DISCOVERY_INTERVAL_MS);
    resource = await call(
      { cluster: context.cluster, operation: `discovering ${kind} in ${apiVersion}` },
      () => context.apis.objects.describe(apiVersion, kind),
    );
  }
  if (!resource)
    throw invalidManifest(
      context.cluster,
      `${kind}/${name}: the cluster does not serve kind ${kind} in ${apiVersion} ` +
        `(a custom resource whose CustomResourceDefinition is not installed?)`,
    );
  // The cluster's own answer, so a custom resource that is cluster-scoped is caught too.
  if (!resource.namespaced && context.allowClusterScoped !== true)
    throw invalidManifest(
      context.cluster,
      `${kind}/${name} is cluster-scoped; an admin must approve cluster-scoped resources for this workload`,
    );
  return {
    apiVersion,
    kind,
    name,
    namespaced: resource.namespaced,
    body: prepare(manifest, namespace, resource.namespaced, labels),
  };
}

async function readLive(context: ApplyContext, item: Planned): Promise<LiveObject | null> {
  try {
    const live = await context.apis.objects.read({
      apiVersion: item.apiVersion,
      kind: item.kind,
      metadata: { name: item.name, ...(item.namespaced ? { namespace: item.body.metadata.namespace } : {}) },
    });
    const parsed = liveObjectSchema.safeParse(live);
    // It exists; without a readable resourceVersion the apply is reported as "configured".
    return parsed.success ? parsed.data : { metadata: { name: item.name } };
  } catch (error) {
    if (isApiError(error, 404)) return null;
    throw toDriverError(error, { cluster: context.cluster, operation: `reading ${item.kind}/${item.name}` });
  }
}

/**
 * Server-side applies one object. The action is read from resourceVersion:
 * an apply that changes nothing is not written, so the version stays.
 */
async function applyOne(context: ApplyContext, namespace: string, item: Planned): Promise<ApplyAction> {
  const before = await readLive(context, item);
  const where = item.namespaced ? ` in namespace ${namespace}` : " (cluster-scoped)";
  const applied = await call(
    {
      cluster: context.cluster,
      operation: `applying ${item.kind}/${item.name}${where}`,
      invalid: "INVALID_MANIFEST",
    },
    () =>
      context.apis.objects.patch(
        item.body,
        undefined,
        undefined,
        FIELD_MANAGER,
        true,
        PatchStrategy.ServerSideApply,
      ),
  );
  if (!before) return "created";
  const after = liveObjectSchema.safeParse(applied);
  const unchanged =
    after.success &&
    before.metadata.resourceVersion !== undefined &&
    after.data.metadata.resourceVersion === before.metadata.resourceVersion;
  return unchanged ? "unchanged" : "configured";
}

/**
 * The lists of objects carrying `selector` in `namespace`, one per kind the
 * cluster serves namespaced (a group it does not serve, an older autoscaling
 * version say, has none). Unpaged: the generic client drops the continue
 * token of a paged answer; one instance's objects of a kind are few, and the
 * transport caps the answer's size.
 */
export async function* labelledListsByKind(
  context: { apis: KubernetesApis; cluster: string },
  kinds: Iterable<{ apiVersion: string; kind: string }>,
  namespace: string,
  selector: string,
  listing: (kind: string) => string,
) {
  for (const { apiVersion, kind } of kinds) {
    const resource = await call(
      { cluster: context.cluster, operation: `discovering ${kind} in ${apiVersion}` },
      () => context.apis.objects.describe(apiVersion, kind),
    );
    if (!resource?.namespaced) continue;
    const list = await call({ cluster: context.cluster, operation: listing(kind) }, () =>
      context.apis.objects.list(
        apiVersion,
        kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        selector,
      ),
    );
    yield { apiVersion, kind, list };
  }
}

async function prune(
  context: ApplyContext,
  namespace: string,
  labels: Record<string, string>,
  applied: readonly Planned[],
): Promise<ApplyResult["resources"]> {
  const wanted = new Set(applied.map((item) => identity(item.apiVersion, item.kind, item.name)));
  const kinds = new Map<string, { apiVersion: string; kind: string }>();
  for (const entry of [...PRUNE_KINDS, ...applied.filter((item) => item.namespaced)])
    kinds.set(`${groupOf(entry.apiVersion)}/${entry.kind}`, {
      apiVersion: entry.apiVersion,
      kind: entry.kind,
    });

  const pruned: ApplyResult["resources"] = [];
  const lists = labelledListsByKind(
    context,
    kinds.values(),
    namespace,
    labelSelector(labels),
    (kind) => `listing ${kind} in namespace ${namespace} for pruning`,
  );
  for await (const { apiVersion, kind, list } of lists) {
    const parsed = liveListSchema.safeParse(list);
    if (!parsed.success) continue;
    for (const object of parsed.data.items) {
      const name = object.metadata.name;
      if (wanted.has(identity(apiVersion, kind, name)) || !appliedByConsole(object)) continue;
      try {
        await context.apis.objects.delete(
          { apiVersion, kind, metadata: { name, namespace } },
          undefined,
          undefined,
          undefined,
          undefined,
          "Background",
        );
      } catch (error) {
        // Already gone (deleted by someone else meanwhile) is what pruning wanted.
        if (!isApiError(error, 404))
          throw toDriverError(error, { cluster: context.cluster, operation: `pruning ${kind}/${name}` });
      }
      pruned.push({ kind, name, action: "pruned" });
    }
  }
  return pruned;
}

export async function applyManifests(
  context: ApplyContext,
  namespace: string,
  input: readonly KubernetesManifest[],
  options: ApplyOptions,
): Promise<ApplyResult> {
  const { cluster } = context;
  if (!namespaceNameSchema.safeParse(namespace).success)
    throw new ClusterDriverError("INVALID_ARGUMENT", `invalid namespace ${JSON.stringify(namespace)}`, {
      cluster,
    });
  const parsedOptions = applyOptionsSchema.safeParse(options);
  if (!parsedOptions.success)
    throw new ClusterDriverError("INVALID_ARGUMENT", "apply options need a labels object of strings", {
      cluster,
    });
  const labels = { ...parsedOptions.data.labels };
  const scoped: ApplyContext = { ...context, allowClusterScoped: parsedOptions.data.allowClusterScoped };
  // The namespace itself is the driver's to manage; a chart's Namespace object would fight it.
  const manifests = parseManifests(input).filter((m) => m.kind !== "Namespace");
  const seen = new Set<string>();
  for (const m of manifests) {
    const key = identity(m.apiVersion, m.kind, m.metadata.name);
    if (seen.has(key)) throw invalidManifest(cluster, `${m.kind}/${m.metadata.name} appears twice`);
    seen.add(key);
  }

  // Discovery first: a manifest the cluster cannot take fails the apply before anything is created.
  const planned = await plan(scoped, namespace, manifests, labels);
  await ensureNamespace(context, namespace, {
    ...labels,
    ...podSecurityLabels(parsedOptions.data.podSecurity),
  });
  const resources: ApplyResult["resources"] = [];
  const applied: Planned[] = [];
  for (const entry of planned) {
    // A CRD is served a moment after it is created (once Established), so its resources may wait a little.
    const item =
      "pending" in entry
        ? await planOne(scoped, namespace, entry.pending, labels, CRD_DISCOVERY_ATTEMPTS)
        : entry;
    resources.push({ kind: item.kind, name: item.name, action: await applyOne(context, namespace, item) });
    applied.push(item);
  }
  if (Object.keys(labels).length > 0) resources.push(...(await prune(context, namespace, labels, applied)));
  return { cluster, namespace, resources };
}
