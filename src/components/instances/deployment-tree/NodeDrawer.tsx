"use client";

import CloseIcon from "@mui/icons-material/Close";
import Box from "@mui/material/Box";
import Chip from "@mui/material/Chip";
import Divider from "@mui/material/Divider";
import Drawer from "@mui/material/Drawer";
import IconButton from "@mui/material/IconButton";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useId } from "react";
import { DefinitionList, Field } from "@/components/ui/DefinitionList";
import { Time } from "@/components/ui/Time";
import { type TreeNode, MONO, rate } from "./model";
import { HealthDot } from "./NodeCard";

/** The side panel with one resource's details. */
export function NodeDrawer({ node, onClose }: { node: TreeNode | null; onClose: () => void }) {
  const titleId = useId();
  return (
    <Drawer
      anchor="right"
      open={node !== null}
      onClose={onClose}
      slotProps={{ paper: { sx: { width: { xs: "100%", sm: 440 } }, "aria-labelledby": titleId } }}
    >
      {node && (
        <Box sx={{ p: 2.5 }} data-testid="node-drawer">
          <Stack direction="row" sx={{ alignItems: "flex-start", mb: 1 }}>
            <Box sx={{ flexGrow: 1, minWidth: 0 }}>
              <Typography variant="overline" color="text.secondary">
                {node.kind}
              </Typography>
              <Typography id={titleId} variant="h3" component="h2" sx={{ wordBreak: "break-all" }}>
                {node.name}
              </Typography>
            </Box>
            <IconButton aria-label="Close" onClick={onClose}>
              <CloseIcon />
            </IconButton>
          </Stack>
          <Divider sx={{ mb: 1 }} />
          <DefinitionList layout="rows">
            <Field label="Status">
              <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
                <HealthDot status={node.health.status} />
                <span>
                  {node.status} · {node.health.status}
                </span>
              </Stack>
              {node.health.message && (
                <Typography variant="body2" color="text.secondary">
                  {node.health.message}
                </Typography>
              )}
            </Field>
            <Field label="Namespace">{node.namespace}</Field>
            <Field label="Cluster">{node.cluster}</Field>
            <Field label="Node">{node.nodeName ?? "—"}</Field>
            <Field label="UID">
              <Box component="span" sx={{ fontFamily: MONO, fontSize: 12.5 }}>
                {node.uid}
              </Box>
            </Field>
            <Field label="API version">{node.group ? `${node.group}/${node.version}` : node.version}</Field>
            {node.kind === "Pod" && <Field label="Restarts">{node.restarts}</Field>}
            {node.replicas && (
              <Field label="Replicas">
                {node.replicas.ready} ready of {node.replicas.desired} desired
              </Field>
            )}
            <Field label="Traffic">
              {node.traffic ? (
                <>
                  {node.traffic.requestsPerSecond.toFixed(2)} req/s
                  <br />
                  in {rate(node.traffic.bytesIn)} · out {rate(node.traffic.bytesOut)}
                </>
              ) : (
                "—"
              )}
            </Field>
            <Field label="Images">
              {node.images.length > 0
                ? node.images.map((image) => (
                    <Box key={image} sx={{ fontFamily: MONO, fontSize: 12.5 }}>
                      {image}
                    </Box>
                  ))
                : "—"}
            </Field>
            <Field label="Owners">
              {node.parentRefs.length > 0
                ? node.parentRefs.map((r) => `${r.kind}/${r.name}`).join(", ")
                : "—"}
            </Field>
            {node.targetRefs.length > 0 && (
              <Field label="Routes to">{node.targetRefs.map((r) => `${r.kind}/${r.name}`).join(", ")}</Field>
            )}
            <Field label="Created">
              <Time value={node.createdAt} />
            </Field>
            <Field label="Labels">
              {Object.keys(node.labels).length > 0 ? (
                <Stack direction="row" useFlexGap spacing={0.5} sx={{ flexWrap: "wrap" }}>
                  {Object.entries(node.labels).map(([k, v]) => (
                    <Chip
                      key={k}
                      size="small"
                      variant="outlined"
                      label={`${k}=${v}`}
                      sx={{
                        fontFamily: MONO,
                        fontSize: 11,
                        height: "auto",
                        "& .MuiChip-label": { whiteSpace: "normal", wordBreak: "break-all", py: 0.25 },
                      }}
                    />
                  ))}
                </Stack>
              ) : (
                "—"
              )}
            </Field>
          </DefinitionList>
        </Box>
      )}
    </Drawer>
  );
}
