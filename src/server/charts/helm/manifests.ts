/** Splitting rendered files into manifests, hook detection and Helm's install-order sort. */
import type { Value } from "../template/values";
import { RenderError } from "./engine";
import { yamlToValue } from "./yaml-reader";
import type { HelmVersion } from "./values";

export const INSTALL_ORDER = [
  "PriorityClass",
  "Namespace",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodSecurityPolicy",
  "PodDisruptionBudget",
  "ServiceAccount",
  "Secret",
  "SecretList",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleList",
  "ClusterRoleBinding",
  "ClusterRoleBindingList",
  "Role",
  "RoleList",
  "RoleBinding",
  "RoleBindingList",
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
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
];

const HOOK_EVENTS = new Map<string, string>([
  ["pre-install", "pre-install"],
  ["post-install", "post-install"],
  ["pre-delete", "pre-delete"],
  ["post-delete", "post-delete"],
  ["pre-upgrade", "pre-upgrade"],
  ["post-upgrade", "post-upgrade"],
  ["pre-rollback", "pre-rollback"],
  ["post-rollback", "post-rollback"],
  ["test", "test"],
  ["test-success", "test"],
]);

/** releaseutil.SplitManifests: Helm 3 trims each document; Helm 4.2 keeps trailing newlines. */
export function splitManifests(bigFile: string, version: HelmVersion): string[] {
  const out: string[] = [];
  if (version === 3) {
    const docs = bigFile.trim().split(/(?:^|\s*\n)---\s*/);
    for (const d of docs) {
      if (d === "") continue;
      out.push(d.trim());
    }
    return out;
  }
  const docs = bigFile.split(/^---[ \t]*/m);
  for (const d of docs) {
    if (d.trim() === "") continue;
    out.push(d.replace(/^\s+/, ""));
  }
  return out;
}

export interface Manifest {
  /** Template path, e.g. "mychart/templates/deployment.yaml". */
  name: string;
  content: string;
  kind: string;
  resourceName: string;
  apiVersion: string;
}

export interface Hook extends Manifest {
  events: string[];
  weight: number;
  deletePolicies: string[];
}

function str(v: Value): string {
  return typeof v === "string" ? v : "";
}

interface Head {
  kind: string;
  apiVersion: string;
  name: string;
  annotations: Map<string, string> | undefined;
}

// Rendered documents often repeat across renders; memoise their heads (bounded).
const headCache = new Map<string, Head>();
const HEAD_CACHE_MAX = 2000;

export function clearHeadCache(): void {
  headCache.clear();
}

function parseHead(path: string, doc: string): Head {
  const key = path + "\u0000" + doc;
  const hit = headCache.get(key);
  if (hit) return hit;
  const head = parseHeadUncached(path, doc);
  if (headCache.size >= HEAD_CACHE_MAX) headCache.clear();
  headCache.set(key, head);
  return head;
}

function parseHeadUncached(path: string, doc: string): Head {
  let v: Value;
  try {
    v = yamlToValue(doc);
  } catch (e) {
    throw new RenderError(`YAML parse error on ${path}: ${(e as Error).message}`, path);
  }
  const m = v instanceof Map ? v : new Map<string, Value>();
  const kind = m.get("kind");
  if (kind !== undefined && kind !== null && typeof kind !== "string") {
    throw new RenderError(
      `YAML parse error on ${path}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${typeof kind === "number" ? "number" : "object"} into Go struct field SimpleHead.kind of type string`,
      path,
    );
  }
  const md = m.get("metadata");
  let name = "";
  let annotations: Map<string, string> | undefined;
  if (md instanceof Map) {
    name = str(md.get("name") ?? null);
    const ann = md.get("annotations");
    if (ann instanceof Map) {
      annotations = new Map();
      for (const [k, x] of ann) {
        if (x !== null && typeof x !== "string") {
          throw new RenderError(
            `YAML parse error on ${path}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${typeof x === "number" ? "number" : typeof x === "boolean" ? "bool" : "object"} into Go struct field .metadata.annotations of type string`,
            path,
          );
        }
        annotations.set(k, x ?? "");
      }
    }
  }
  return { kind: str(kind ?? null), apiVersion: str(m.get("apiVersion") ?? null), name, annotations };
}

function kindRank(kind: string): number {
  const i = INSTALL_ORDER.indexOf(kind);
  return i < 0 ? Infinity : i;
}

/** Stable sort by kind (unknown kinds last, alphabetically among themselves). */
export function sortByKind<T extends { kind: string }>(items: T[]): T[] {
  return items
    .map((m, i) => ({ m, i }))
    .sort((a, b) => {
      const ra = kindRank(a.m.kind);
      const rb = kindRank(b.m.kind);
      if (ra === Infinity && rb === Infinity) {
        if (a.m.kind !== b.m.kind) return a.m.kind < b.m.kind ? -1 : 1;
        return a.i - b.i;
      }
      if (ra !== rb) return ra - rb;
      return a.i - b.i;
    })
    .map((x) => x.m);
}

/** releaseutil.SortManifests over rendered files (partials and blank files skipped). */
export function sortManifests(
  files: Map<string, string>,
  version: HelmVersion,
): { hooks: Hook[]; manifests: Manifest[] } {
  const hooks: Hook[] = [];
  const manifests: Manifest[] = [];
  for (const path of Array.from(files.keys()).sort()) {
    const content = files.get(path) ?? "";
    const base = path.slice(path.lastIndexOf("/") + 1);
    if (base.startsWith("_")) continue;
    if (content.trim() === "") continue;
    for (const doc of splitManifests(content, version)) {
      const head = parseHead(path, doc);
      const base: Manifest = {
        name: path,
        content: doc,
        kind: head.kind,
        resourceName: head.name,
        apiVersion: head.apiVersion,
      };
      const hookTypes = head.annotations?.get("helm.sh/hook");
      if (hookTypes === undefined) {
        manifests.push(base);
        continue;
      }
      const events: string[] = [];
      let unknown = false;
      for (const t of hookTypes.split(",")) {
        const e = HOOK_EVENTS.get(t.trim().toLowerCase());
        if (!e) {
          unknown = true;
          break;
        }
        events.push(e);
      }
      if (unknown) continue;
      const w = parseInt(head.annotations?.get("helm.sh/hook-weight") ?? "0", 10);
      const dp = (head.annotations?.get("helm.sh/hook-delete-policy") ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      hooks.push({ ...base, events, weight: Number.isNaN(w) ? 0 : w, deletePolicies: dp });
    }
  }
  return { hooks: sortByKind(hooks), manifests: sortByKind(manifests) };
}
