"use client";

import Box from "@mui/material/Box";
import { useMemo, useState } from "react";
import { layoutTree, ROOT_ID } from "./tree-layout";
import { type Tree, type TreeNode, CARD_W, CARD_H, COL_GAP, ROW_GAP } from "./model";
import { NodeCard, RootCard } from "./NodeCard";
import { NodeDrawer } from "./NodeDrawer";

/** The laid-out tree: cards in columns by depth, edges between them, the open node's panel. */
export function TreeCanvas({ tree, releaseName }: { tree: Tree; releaseName: string }) {
  const [open, setOpen] = useState<TreeNode | null>(null);
  const layout = useMemo(() => layoutTree(tree.nodes), [tree.nodes]);
  const rootRow = useMemo(() => {
    const tops = layout.placed.filter((p) => p.column === 1).map((p) => p.row);
    return tops.length > 0 ? (Math.min(...tops) + Math.max(...tops)) / 2 : 0;
  }, [layout]);
  const x = (column: number) => column * (CARD_W + COL_GAP);
  const y = (row: number) => row * (CARD_H + ROW_GAP);
  const position = new Map<string, { column: number; row: number }>([[ROOT_ID, { column: 0, row: rootRow }]]);
  for (const p of layout.placed) position.set(p.node.uid, { column: p.column, row: p.row });
  const width = x(layout.columns) - COL_GAP;
  const height = y(layout.rows) - ROW_GAP;

  return (
    <>
      <Box sx={{ overflow: "auto", p: 2 }} role="group" aria-label="Resource tree">
        <Box sx={{ position: "relative", width, height, minHeight: CARD_H }}>
          <Box
            component="svg"
            width={width}
            height={height}
            aria-hidden="true"
            sx={{ position: "absolute", inset: 0, overflow: "visible" }}
          >
            {layout.edges.map(({ from, to }) => {
              const a = position.get(from);
              const b = position.get(to);
              if (!a || !b) return null;
              const x1 = x(a.column) + CARD_W;
              const y1 = y(a.row) + CARD_H / 2;
              const x2 = x(b.column);
              const y2 = y(b.row) + CARD_H / 2;
              const mid = (x1 + x2) / 2;
              return (
                <path
                  key={`${from}-${to}`}
                  d={`M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`}
                  fill="none"
                  stroke="#a9b6c4"
                  strokeWidth={1.5}
                />
              );
            })}
          </Box>
          <Box sx={{ position: "absolute", left: x(0), top: y(rootRow) }}>
            <RootCard tree={tree} releaseName={releaseName} />
          </Box>
          {layout.placed.map((p) => (
            <Box key={p.node.uid} sx={{ position: "absolute", left: x(p.column), top: y(p.row) }}>
              <NodeCard node={p.node} onOpen={setOpen} />
            </Box>
          ))}
        </Box>
      </Box>
      <NodeDrawer
        node={open && (tree.nodes.find((n) => n.uid === open.uid) ?? open)}
        onClose={() => setOpen(null)}
      />
    </>
  );
}
