/**
 * Lays a resource tree out left to right, as Argo CD draws an application:
 * the instance in column 0, its top-level resources in column 1, what they
 * own further right (Deployment → ReplicaSet → Pod). Each leaf takes a row;
 * a parent sits level with the middle of its children, so connectors fan
 * out without crossing. Pure, so it is tested without a browser.
 */

export interface LayoutInput {
  uid: string;
  kind: string;
  name: string;
  parentRefs: ReadonlyArray<{ uid: string }>;
}

export interface Placed<N> {
  node: N;
  column: number;
  /** Row in leaf units; a parent can sit between rows (x.5). */
  row: number;
}

export interface TreeLayout<N> {
  placed: Placed<N>[];
  /** Ownership edges, parent uid → child uid; the root's id is ROOT_ID. */
  edges: Array<{ from: string; to: string }>;
  columns: number;
  rows: number;
}

export const ROOT_ID = "__instance__";

/** Controllers first, then what they own, then the rest (as the driver orders them). */
const KIND_ORDER = [
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "CronJob",
  "ReplicaSet",
  "Pod",
  "PersistentVolumeClaim",
  "Service",
  "Ingress",
];

function kindRank(kind: string): number {
  const index = KIND_ORDER.indexOf(kind);
  return index < 0 ? KIND_ORDER.length : index;
}

function byKindThenName(a: LayoutInput, b: LayoutInput): number {
  return kindRank(a.kind) - kindRank(b.kind) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name);
}

export function layoutTree<N extends LayoutInput>(nodes: readonly N[]): TreeLayout<N> {
  const byUid = new Map(nodes.map((n) => [n.uid, n]));
  const children = new Map<string, N[]>();
  const roots: N[] = [];
  for (const node of nodes) {
    // A node with several owners is drawn under the first one present.
    const parent = node.parentRefs.find((ref) => byUid.has(ref.uid) && ref.uid !== node.uid);
    if (!parent) {
      roots.push(node);
      continue;
    }
    const siblings = children.get(parent.uid) ?? [];
    siblings.push(node);
    children.set(parent.uid, siblings);
  }

  const placed: Placed<N>[] = [];
  const edges: Array<{ from: string; to: string }> = [];
  const visited = new Set<string>();
  let nextRow = 0;
  let columns = 1;

  /** Places `node` and its subtree; returns the node's row. */
  function place(node: N, column: number, parentId: string): number {
    visited.add(node.uid);
    edges.push({ from: parentId, to: node.uid });
    columns = Math.max(columns, column + 1);
    const kids = (children.get(node.uid) ?? []).filter((k) => !visited.has(k.uid)).sort(byKindThenName);
    let row: number;
    if (kids.length === 0) {
      row = nextRow++;
    } else {
      const rows = kids.map((kid) => place(kid, column + 1, node.uid));
      row = ((rows[0] ?? 0) + (rows[rows.length - 1] ?? 0)) / 2;
    }
    placed.push({ node, column, row });
    return row;
  }

  for (const root of [...roots].sort(byKindThenName)) place(root, 1, ROOT_ID);
  // Ownership cycles (not in real clusters) would leave nodes unplaced: show them as roots.
  for (const node of nodes) if (!visited.has(node.uid)) place(node, 1, ROOT_ID);

  return { placed, edges, columns, rows: Math.max(nextRow, 1) };
}
