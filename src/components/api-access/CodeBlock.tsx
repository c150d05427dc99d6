"use client";

import CheckIcon from "@mui/icons-material/Check";
import ContentCopyIcon from "@mui/icons-material/ContentCopy";
import Box from "@mui/material/Box";
import IconButton from "@mui/material/IconButton";
import Tooltip from "@mui/material/Tooltip";
import { useState } from "react";
import { visuallyHidden } from "../ui/visually-hidden";

/** A copyable snippet (a URL or a shell recipe): monospace, readable in light and dark. */
export function CodeBlock({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2_000);
    } catch {
      // No clipboard access (insecure context, denied): the text stays selectable.
      setCopied(false);
    }
  }
  return (
    <Box
      sx={{
        position: "relative",
        border: 1,
        borderColor: "divider",
        borderRadius: 1,
        bgcolor: "action.hover",
      }}
    >
      <Box
        component="pre"
        aria-label={label}
        data-testid={testId}
        sx={{
          m: 0,
          p: 1.5,
          pr: 6,
          overflowX: "auto",
          fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
          fontSize: 13,
          lineHeight: 1.6,
          color: "text.primary",
        }}
      >
        <code>{text}</code>
      </Box>
      <Tooltip title={copied ? "Copied" : `Copy ${label}`}>
        <IconButton
          size="small"
          aria-label={`Copy ${label}`}
          onClick={() => void copy()}
          sx={{ position: "absolute", top: 6, right: 6 }}
        >
          {copied ? <CheckIcon fontSize="small" /> : <ContentCopyIcon fontSize="small" />}
        </IconButton>
      </Tooltip>
      <Box component="span" role="status" sx={visuallyHidden}>
        {copied ? `${label} copied` : ""}
      </Box>
    </Box>
  );
}
