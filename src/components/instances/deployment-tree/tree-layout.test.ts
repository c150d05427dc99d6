import { describe, expect, it } from "vitest";
import { layoutTree, ROOT_ID, type LayoutInput } from "./tree-layout";

const node = (kind: string, name: string, uid: string, parent?: string): LayoutInput => ({
  kind,
  name,
  uid,
  parentRefs: parent ? [{ uid: parent }] : [],
});

describe("layoutTree", () => {
  it("puts owners left of what they own and centres a parent on its children", () => {
    const layout = layoutTree([
      node("Pod", "web-abc-2", "p2", "rs"),
      node("Service", "web", "svc"),
      node("ReplicaSet", "web-abc", "rs", "dep"),
      node("Pod", "web-abc-1", "p1", "rs"),
      node("Deployment", "web", "dep"),
    ]);
    const at = Object.fromEntries(layout.placed.map((p) => [p.node.uid, [p.column, p.row]]));
    expect(at).toEqual({
      p1: [3, 0],
      p2: [3, 1],
      rs: [2, 0.5],
      dep: [1, 0.5],
      svc: [1, 2],
    });
    expect(layout.columns).toBe(4);
    expect(layout.rows).toBe(3);
    expect(layout.edges).toEqual(
      expect.arrayContaining([
        { from: ROOT_ID, to: "dep" },
        { from: "dep", to: "rs" },
        { from: "rs", to: "p1" },
        { from: ROOT_ID, to: "svc" },
      ]),
    );
  });

  it("treats a node whose owner is absent as top level, and survives an empty tree", () => {
    const layout = layoutTree([node("Pod", "orphan", "p", "gone")]);
    expect(layout.placed).toEqual([{ node: expect.objectContaining({ uid: "p" }), column: 1, row: 0 }]);
    expect(layoutTree([])).toMatchObject({ placed: [], edges: [], columns: 1, rows: 1 });
  });
});
