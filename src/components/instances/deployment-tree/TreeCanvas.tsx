"use client";

import CenterFocusStrongOutlinedIcon from "@mui/icons-material/CenterFocusStrongOutlined";
import FitScreenOutlinedIcon from "@mui/icons-material/FitScreenOutlined";
import ZoomInIcon from "@mui/icons-material/ZoomIn";
import ZoomOutIcon from "@mui/icons-material/ZoomOut";
import Box from "@mui/material/Box";
import IconButton from "@mui/material/IconButton";
import Stack from "@mui/material/Stack";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import { useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from "react";
import { layoutTree, ROOT_ID } from "./tree-layout";
import { type Tree, type TreeNode, CARD_W, CARD_H, COL_GAP, ROW_GAP } from "./model";
import { NodeCard, RootCard } from "./NodeCard";
import { NodeDrawer } from "./NodeDrawer";
import { clampZoom, fitZoom, ZOOM_STEP } from "./zoom";

const PAN_STEP = 48;
const PADDING = 16;

/**
 * The laid-out tree in a viewport of its own: cards in columns by depth,
 * edges between them, the open node's panel. However wide the tree, the page
 * does not scroll sideways: the viewport scrolls (drag the background, use the
 * scroll bars or the wheel), zooms (buttons, or + / − / 0 with the viewport
 * focused, arrows to pan), and "Fit" shows the whole tree at once.
 */
export function TreeCanvas({
  tree,
  releaseName,
  instanceId,
}: {
  tree: Tree;
  releaseName: string;
  instanceId: string;
}) {
  const [open, setOpen] = useState<TreeNode | null>(null);
  const [zoom, setZoom] = useState(1);
  const [dragging, setDragging] = useState(false);
  const viewport = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; y: number; left: number; top: number; id: number } | null>(null);
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
  const height = Math.max(y(layout.rows) - ROW_GAP, CARD_H);

  const zoomTo = (next: number) => setZoom(clampZoom(next));
  const fit = () => {
    const element = viewport.current;
    if (element)
      zoomTo(fitZoom(width, height, element.clientWidth - 2 * PADDING, element.clientHeight - 2 * PADDING));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    // Only the viewport's own keys: a focused card keeps Enter and Space for opening itself.
    if (event.target !== event.currentTarget) return;
    const element = event.currentTarget;
    const keys: Record<string, () => void> = {
      ArrowLeft: () => element.scrollBy({ left: -PAN_STEP }),
      ArrowRight: () => element.scrollBy({ left: PAN_STEP }),
      ArrowUp: () => element.scrollBy({ top: -PAN_STEP }),
      ArrowDown: () => element.scrollBy({ top: PAN_STEP }),
      "+": () => zoomTo(zoom + ZOOM_STEP),
      "=": () => zoomTo(zoom + ZOOM_STEP),
      "-": () => zoomTo(zoom - ZOOM_STEP),
      "0": () => zoomTo(1),
    };
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  };

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    // Dragging the background pans; a press on a card is a click on it.
    if (event.button !== 0 || (event.target as HTMLElement).closest("button")) return;
    const element = event.currentTarget;
    drag.current = {
      x: event.clientX,
      y: event.clientY,
      left: element.scrollLeft,
      top: element.scrollTop,
      id: event.pointerId,
    };
    element.setPointerCapture(event.pointerId);
    setDragging(true);
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const start = drag.current;
    if (!start || start.id !== event.pointerId) return;
    event.currentTarget.scrollLeft = start.left - (event.clientX - start.x);
    event.currentTarget.scrollTop = start.top - (event.clientY - start.y);
  };
  const endDrag = (event: PointerEvent<HTMLDivElement>) => {
    if (drag.current?.id !== event.pointerId) return;
    drag.current = null;
    setDragging(false);
    event.currentTarget.releasePointerCapture(event.pointerId);
  };

  return (
    <>
      <Stack
        direction="row"
        spacing={0.5}
        sx={{ alignItems: "center", px: 1.5, pt: 1 }}
        role="toolbar"
        aria-label="Tree zoom"
      >
        <Tooltip title="Zoom out (−)">
          <span>
            <IconButton
              size="small"
              aria-label="Zoom out"
              onClick={() => zoomTo(zoom - ZOOM_STEP)}
              disabled={zoom <= clampZoom(0)}
            >
              <ZoomOutIcon fontSize="small" />
            </IconButton>
          </span>
        </Tooltip>
        <Typography
          variant="body2"
          aria-live="polite"
          data-testid="tree-zoom"
          sx={{ minWidth: 48, textAlign: "center" }}
        >
          {Math.round(zoom * 100)} %
        </Typography>
        <Tooltip title="Zoom in (+)">
          <span>
            <IconButton
              size="small"
              aria-label="Zoom in"
              onClick={() => zoomTo(zoom + ZOOM_STEP)}
              disabled={zoom >= clampZoom(Infinity)}
            >
              <ZoomInIcon fontSize="small" />
            </IconButton>
          </span>
        </Tooltip>
        <Tooltip title="Fit the whole tree">
          <IconButton size="small" aria-label="Fit the whole tree" onClick={fit}>
            <FitScreenOutlinedIcon fontSize="small" />
          </IconButton>
        </Tooltip>
        <Tooltip title="Actual size (0)">
          <IconButton size="small" aria-label="Actual size" onClick={() => zoomTo(1)}>
            <CenterFocusStrongOutlinedIcon fontSize="small" />
          </IconButton>
        </Tooltip>
        <Typography
          variant="caption"
          color="text.secondary"
          sx={{ pl: 1, display: { xs: "none", md: "block" } }}
        >
          Drag or scroll to pan
        </Typography>
      </Stack>
      <Box
        ref={viewport}
        role="group"
        aria-label="Resource tree: arrow keys pan, + and − zoom, 0 resets"
        aria-roledescription="zoomable tree"
        tabIndex={0}
        data-testid="tree-viewport"
        onKeyDown={onKeyDown}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
        sx={{
          overflow: "auto",
          p: `${PADDING}px`,
          maxWidth: "100%",
          minWidth: 0,
          maxHeight: "70vh",
          cursor: dragging ? "grabbing" : "grab",
          overscrollBehavior: "contain",
          "&:focus-visible": { outline: "2px solid", outlineColor: "primary.main", outlineOffset: -2 },
        }}
      >
        {/* Sized as the zoomed tree, so the scroll bars and panning cover exactly what is drawn. */}
        <Box sx={{ width: width * zoom, height: height * zoom, position: "relative" }}>
          <Box
            sx={{
              position: "absolute",
              inset: "0 auto auto 0",
              width,
              height,
              transform: `scale(${zoom})`,
              transformOrigin: "0 0",
            }}
          >
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
      </Box>
      <NodeDrawer
        instanceId={instanceId}
        node={open && (tree.nodes.find((n) => n.uid === open.uid) ?? open)}
        onClose={() => setOpen(null)}
      />
    </>
  );
}
