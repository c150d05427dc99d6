import Breadcrumbs from "@mui/material/Breadcrumbs";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import type { ReactNode } from "react";
import { TextLink } from "./links";

export interface Crumb {
  href: string;
  label: string;
}

export function PageHeader({
  title,
  description,
  actions,
  trail = [],
}: {
  title: string;
  description?: string;
  actions?: ReactNode;
  /** Pages between Home and this one (Workload Monitoring › …). */
  trail?: Crumb[];
}) {
  return (
    <Stack spacing={1} sx={{ mb: 3 }}>
      <Breadcrumbs aria-label="Breadcrumb">
        <TextLink href="/" underline="hover" color="inherit">
          Home
        </TextLink>
        {trail.map((crumb) => (
          <TextLink key={crumb.href} href={crumb.href} underline="hover" color="inherit">
            {crumb.label}
          </TextLink>
        ))}
        <Typography color="text.primary">{title}</Typography>
      </Breadcrumbs>
      <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: "center", flexWrap: "wrap" }}>
        <Typography variant="h1" sx={{ flexGrow: 1 }}>
          {title}
        </Typography>
        {actions}
      </Stack>
      {description && (
        <Typography color="text.secondary" sx={{ maxWidth: 760 }}>
          {description}
        </Typography>
      )}
    </Stack>
  );
}
