"use client";

import Box from "@mui/material/Box";
import Paper from "@mui/material/Paper";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useId, type ReactNode } from "react";

/**
 * A titled part of a page: an outlined panel (or, with `plain`, a bare
 * group) named by its h2, with an optional icon, a description and actions
 * on the heading's line. The heading names the section for assistive tech.
 */
export function Section({
  title,
  titleId,
  icon,
  actions,
  description,
  plain = false,
  headingVariant = "h3",
  grow,
  testId,
  children,
}: {
  title: ReactNode;
  /** A stable id for the heading (links and specs point at it); generated otherwise. */
  titleId?: string;
  icon?: ReactNode;
  /** Beside the heading, at the end of its line: a link or a button. */
  actions?: ReactNode;
  description?: ReactNode;
  /** No panel around it: a group on the page itself. */
  plain?: boolean;
  headingVariant?: "h2" | "h3";
  /** Its share of a row it sits in (flex-grow). */
  grow?: number;
  testId?: string;
  children: ReactNode;
}) {
  const generated = useId();
  const id = titleId ?? generated;
  const header = (
    <Box sx={{ mb: plain ? 1.5 : 2 }}>
      <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: "center", flexWrap: "wrap" }}>
        {icon}
        <Typography id={id} variant={headingVariant} component="h2" sx={{ flexGrow: 1 }}>
          {title}
        </Typography>
        {actions}
      </Stack>
      {description && (
        <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
          {description}
        </Typography>
      )}
    </Box>
  );
  if (plain) {
    return (
      <Box component="section" aria-labelledby={id} sx={{ flex: grow }} data-testid={testId}>
        {header}
        {children}
      </Box>
    );
  }
  return (
    <Paper
      variant="outlined"
      component="section"
      aria-labelledby={id}
      sx={{ p: { xs: 2, md: 2.5 }, flex: grow }}
      data-testid={testId}
    >
      {header}
      {children}
    </Paper>
  );
}
