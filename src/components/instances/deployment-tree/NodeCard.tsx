"use client";

import AccountTreeOutlinedIcon from "@mui/icons-material/AccountTreeOutlined";
import Box from "@mui/material/Box";
import ButtonBase from "@mui/material/ButtonBase";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import {
  type Tree,
  type TreeNode,
  type HealthStatus,
  CARD_W,
  CARD_H,
  MONO,
  HEALTH_COLOR,
  kindIcon,
  trafficText,
  shortUid,
  middleEllipsis,
} from "./model";

/** The cards of the tree: a resource, and the instance at its root. */
export function HealthDot({ status }: { status: HealthStatus }) {
  return (
    <Box
      component="span"
      aria-hidden="true"
      sx={{ width: 9, height: 9, borderRadius: "50%", bgcolor: HEALTH_COLOR[status], flexShrink: 0 }}
    />
  );
}

export function NodeCard({ node, onOpen }: { node: TreeNode; onOpen: (node: TreeNode) => void }) {
  const color = HEALTH_COLOR[node.health.status];
  return (
    <ButtonBase
      onClick={() => onOpen(node)}
      aria-label={`${node.kind} ${node.name}: ${node.status}, ${node.health.status}`}
      data-testid="tree-node"
      data-kind={node.kind}
      data-health={node.health.status}
      sx={{
        width: CARD_W,
        height: CARD_H,
        display: "block",
        textAlign: "left",
        bgcolor: "background.paper",
        border: 1,
        borderColor: "divider",
        borderLeft: `4px solid ${color}`,
        borderRadius: 1.5,
        boxShadow: "0 1px 2px rgba(23, 33, 43, 0.06)",
        px: 1.25,
        py: 1,
        "&:hover": { boxShadow: "0 2px 8px rgba(23, 33, 43, 0.16)" },
        "&.Mui-focusVisible": { outline: "2px solid", outlineColor: "primary.main", outlineOffset: 2 },
      }}
    >
      <Stack direction="row" spacing={1} sx={{ alignItems: "center", minWidth: 0 }}>
        <Box
          aria-hidden="true"
          sx={{
            width: 28,
            height: 28,
            borderRadius: "50%",
            display: "grid",
            placeItems: "center",
            color,
            bgcolor: `${color}1f`,
            flexShrink: 0,
          }}
        >
          {kindIcon(node.kind)}
        </Box>
        <Box sx={{ minWidth: 0 }}>
          <Typography variant="caption" color="text.secondary" sx={{ display: "block", lineHeight: 1.2 }}>
            {node.kind}
          </Typography>
          <Typography
            variant="body2"
            sx={{ fontWeight: 600, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}
            title={node.name}
          >
            {middleEllipsis(node.name)}
          </Typography>
        </Box>
      </Stack>
      <Typography
        variant="caption"
        color="text.secondary"
        sx={{ display: "block", fontFamily: MONO, fontSize: 11, mt: 0.5, whiteSpace: "nowrap" }}
      >
        uid {shortUid(node.uid)} · {node.cluster}
      </Typography>
      <Stack direction="row" spacing={0.75} sx={{ alignItems: "center", mt: 0.5 }}>
        <HealthDot status={node.health.status} />
        <Typography variant="caption" sx={{ fontWeight: 500 }}>
          {node.status}
        </Typography>
        {node.kind === "Pod" && (
          <Typography variant="caption" color={node.restarts > 0 ? "warning.main" : "text.secondary"}>
            · {node.restarts} {node.restarts === 1 ? "restart" : "restarts"}
          </Typography>
        )}
        {node.replicas && !node.status.includes(`${node.replicas.ready}/${node.replicas.desired}`) && (
          <Typography variant="caption" color="text.secondary">
            · {node.replicas.ready}/{node.replicas.desired} ready
          </Typography>
        )}
      </Stack>
      {node.traffic && (
        <Typography
          variant="caption"
          color="text.secondary"
          sx={{ display: "block", whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis" }}
          data-testid="node-traffic"
        >
          {trafficText(node.traffic)}
        </Typography>
      )}
    </ButtonBase>
  );
}

export function RootCard({ tree, releaseName }: { tree: Tree; releaseName: string }) {
  const color = HEALTH_COLOR[tree.health.status];
  return (
    <Box
      sx={{
        width: CARD_W,
        height: CARD_H,
        bgcolor: "action.hover",
        border: 1,
        borderColor: "divider",
        borderLeft: `4px solid ${color}`,
        borderRadius: 1.5,
        px: 1.25,
        py: 1,
      }}
      data-testid="tree-root"
    >
      <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
        <AccountTreeOutlinedIcon fontSize="small" sx={{ color }} aria-hidden="true" />
        <Box sx={{ minWidth: 0 }}>
          <Typography variant="caption" color="text.secondary" sx={{ display: "block", lineHeight: 1.2 }}>
            Instance
          </Typography>
          <Typography variant="body2" sx={{ fontWeight: 600 }}>
            {releaseName}
          </Typography>
        </Box>
      </Stack>
      <Typography
        variant="caption"
        color="text.secondary"
        sx={{ display: "block", fontFamily: MONO, fontSize: 11, mt: 0.5 }}
      >
        ns {tree.namespace}
      </Typography>
      <Typography variant="caption" color="text.secondary" sx={{ display: "block" }}>
        cluster {tree.cluster}
      </Typography>
      <Stack direction="row" spacing={0.75} sx={{ alignItems: "center", mt: 0.25 }}>
        <HealthDot status={tree.health.status} />
        <Typography variant="caption" sx={{ fontWeight: 500 }}>
          {tree.health.status}
        </Typography>
      </Stack>
    </Box>
  );
}

/** The detail panel of one resource: every field the driver reports. */
