"use client";

import LockOutlinedIcon from "@mui/icons-material/LockOutlined";
import VisibilityOutlinedIcon from "@mui/icons-material/VisibilityOutlined";
import Box from "@mui/material/Box";
import Card from "@mui/material/Card";
import CardActionArea from "@mui/material/CardActionArea";
import CardContent from "@mui/material/CardContent";
import Chip from "@mui/material/Chip";
import Stack from "@mui/material/Stack";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import NextLink from "next/link";
import { useId } from "react";
import type { AreaAccess, AreaKey } from "@/common/areas";
import { AREA_ACCENTS, AREA_ICONS } from "./area-icons";

/** The link text of a read-only tile: what there is to look at. */
const READ_LABEL: Partial<Record<AreaKey, string>> = {
  clusters: "View clusters →",
  orchestration: "View migrations →",
};

export interface AreaTileProps {
  areaKey: AreaKey;
  href: string;
  title: string;
  description: string;
  access: AreaAccess;
  /** Why the tile is disabled, e.g. "Needs the nemo-admin or service-provider role". */
  reason: string;
}

/** One entry tile of the home page: active, read-only, or visibly disabled with the reason. */
export function AreaTile({ areaKey, href, title, description, access, reason }: AreaTileProps) {
  const reasonId = useId();
  const disabled = access === "none";
  const accent = AREA_ACCENTS[areaKey];

  const content = (
    <CardContent sx={{ p: 3, height: "100%", display: "flex", flexDirection: "column", gap: 1.5 }}>
      <Stack direction="row" sx={{ alignItems: "flex-start", justifyContent: "space-between" }}>
        <Box
          sx={{
            width: 48,
            height: 48,
            borderRadius: 2,
            display: "grid",
            placeItems: "center",
            bgcolor: disabled ? "action.hover" : `${accent}14`,
            color: disabled ? "text.disabled" : accent,
            "& svg": { fontSize: 28 },
          }}
          aria-hidden="true"
        >
          {AREA_ICONS[areaKey]}
        </Box>
        {access === "read" && (
          <Chip size="small" icon={<VisibilityOutlinedIcon />} label="Read-only" variant="outlined" />
        )}
        {disabled && (
          <Chip size="small" icon={<LockOutlinedIcon />} label="Not available" variant="outlined" />
        )}
      </Stack>
      <Typography variant="h2" component="h2" sx={{ color: disabled ? "text.disabled" : "text.primary" }}>
        {title}
      </Typography>
      <Typography variant="body2" sx={{ color: disabled ? "text.disabled" : "text.secondary", flexGrow: 1 }}>
        {description}
      </Typography>
      {disabled ? (
        <Typography
          id={reasonId}
          variant="caption"
          sx={{ color: "text.secondary", display: "flex", gap: 0.5, alignItems: "center" }}
        >
          {reason}
        </Typography>
      ) : (
        <Typography variant="body2" sx={{ color: accent, fontWeight: 500 }}>
          {access === "read" ? (READ_LABEL[areaKey] ?? "View →") : "Open →"}
        </Typography>
      )}
    </CardContent>
  );

  if (disabled) {
    return (
      <Tooltip title={reason} placement="top">
        <Card
          data-testid={`tile-${areaKey}`}
          data-state="disabled"
          aria-disabled="true"
          aria-describedby={reasonId}
          tabIndex={0}
          sx={{ height: "100%", bgcolor: "action.hover", borderStyle: "dashed", cursor: "not-allowed" }}
        >
          {content}
        </Card>
      </Tooltip>
    );
  }

  return (
    <Card
      data-testid={`tile-${areaKey}`}
      data-state={access === "read" ? "read-only" : "active"}
      sx={{
        height: "100%",
        transition: "box-shadow .15s, border-color .15s, transform .15s",
        "&:hover": {
          boxShadow: "0 6px 20px rgba(16,42,76,.10)",
          borderColor: accent,
          transform: "translateY(-1px)",
        },
        borderTop: `3px solid ${accent}`,
      }}
    >
      <CardActionArea component={NextLink} href={href} sx={{ height: "100%", alignItems: "stretch" }}>
        {content}
      </CardActionArea>
    </Card>
  );
}
