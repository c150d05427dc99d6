"use client";

import CloseIcon from "@mui/icons-material/Close";
import Box from "@mui/material/Box";
import Chip from "@mui/material/Chip";
import Drawer from "@mui/material/Drawer";
import IconButton from "@mui/material/IconButton";
import Stack from "@mui/material/Stack";
import Tab from "@mui/material/Tab";
import Tabs from "@mui/material/Tabs";
import Typography from "@mui/material/Typography";
import { useId, useState } from "react";
import { DefinitionList, Field } from "@/components/ui/DefinitionList";
import { Time } from "@/components/ui/Time";
import { type TreeNode, MONO, rate } from "./model";
import { HealthDot } from "./NodeCard";
import { EventsPanel, LiveYamlPanel, PodLogsPanel } from "./InspectPanels";

type DrawerTab = "details" | "logs" | "events" | "yaml";

/**
 * The side panel of one resource: its details, and read live from the
 * cluster its events, its YAML and (a pod) its containers' logs.
 */
export function NodeDrawer({
  instanceId,
  node,
  onClose,
}: {
  instanceId: string;
  node: TreeNode | null;
  onClose: () => void;
}) {
  const titleId = useId();
  const tabsId = useId();
  const [chosen, setChosen] = useState<DrawerTab>("details");
  // A tab the resource does not have (Logs of a Service) falls back to the details.
  const tab: DrawerTab = chosen === "logs" && node?.kind !== "Pod" ? "details" : chosen;
  const tabs: Array<{ value: DrawerTab; label: string }> = [
    { value: "details", label: "Details" },
    ...(node?.kind === "Pod" ? [{ value: "logs" as const, label: "Logs" }] : []),
    { value: "events", label: "Events" },
    { value: "yaml", label: "YAML" },
  ];
  return (
    <Drawer
      anchor="right"
      open={node !== null}
      onClose={onClose}
      slotProps={{
        paper: { sx: { width: { xs: "100%", sm: 600, md: 760 } }, "aria-labelledby": titleId },
      }}
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
          <Tabs
            value={tab}
            onChange={(_, value: DrawerTab) => setChosen(value)}
            aria-label={`Views of ${node.kind} ${node.name}`}
            sx={{ borderBottom: 1, borderColor: "divider", mb: 1.5 }}
          >
            {tabs.map((t) => (
              <Tab
                key={t.value}
                value={t.value}
                label={t.label}
                id={`${tabsId}-${t.value}`}
                aria-controls={`${tabsId}-${t.value}-panel`}
              />
            ))}
          </Tabs>
          <Box role="tabpanel" id={`${tabsId}-${tab}-panel`} aria-labelledby={`${tabsId}-${tab}`}>
            {tab === "logs" && <PodLogsPanel key={node.uid} instanceId={instanceId} node={node} />}
            {tab === "events" && <EventsPanel key={node.uid} instanceId={instanceId} node={node} />}
            {tab === "yaml" && <LiveYamlPanel key={node.uid} instanceId={instanceId} node={node} />}
            {tab === "details" && <NodeDetails node={node} />}
          </Box>
        </Box>
      )}
    </Drawer>
  );
}

function NodeDetails({ node }: { node: TreeNode }) {
  return (
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
        {node.parentRefs.length > 0 ? node.parentRefs.map((r) => `${r.kind}/${r.name}`).join(", ") : "—"}
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
  );
}
