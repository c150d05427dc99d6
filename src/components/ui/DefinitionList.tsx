"use client";

import Box from "@mui/material/Box";
import Typography from "@mui/material/Typography";
import type { Breakpoint } from "@mui/material/styles";
import { createContext, useContext, type ReactNode } from "react";

type Layout = "grid" | "rows";

const LayoutContext = createContext<Layout>("grid");

/**
 * Labelled values (a `<dl>`): a grid of label-over-value cells (details of
 * an instance, a cluster, a report), or `rows` with the label beside the
 * value (a narrow side panel).
 */
export function DefinitionList({
  columns = { xs: "1fr", sm: "repeat(3, 1fr)" },
  layout = "grid",
  testId,
  children,
}: {
  /** The grid's columns (a CSS grid-template-columns, per breakpoint). */
  columns?: string | Partial<Record<Breakpoint, string>>;
  layout?: Layout;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <LayoutContext.Provider value={layout}>
      <Box
        component="dl"
        sx={layout === "grid" ? { m: 0, display: "grid", gridTemplateColumns: columns, gap: 2 } : { m: 0 }}
        data-testid={testId}
      >
        {children}
      </Box>
    </LayoutContext.Provider>
  );
}

/** One label and its value in a `DefinitionList`. */
export function Field({ label, testId, children }: { label: string; testId?: string; children: ReactNode }) {
  const layout = useContext(LayoutContext);
  if (layout === "rows") {
    return (
      <Box sx={{ display: "grid", gridTemplateColumns: "120px 1fr", gap: 1, py: 0.75 }} data-testid={testId}>
        <Typography variant="body2" color="text.secondary" component="dt">
          {label}
        </Typography>
        <Box component="dd" sx={{ m: 0, fontSize: 14, minWidth: 0, wordBreak: "break-word" }}>
          {children}
        </Box>
      </Box>
    );
  }
  return (
    <Box sx={{ minWidth: 0 }} data-testid={testId}>
      <Typography variant="caption" color="text.secondary" component="dt">
        {label}
      </Typography>
      <Box component="dd" sx={{ m: 0, fontSize: 14, overflowWrap: "anywhere" }}>
        {children}
      </Box>
    </Box>
  );
}
