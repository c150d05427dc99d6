import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import type { Metadata } from "next";
import { CenteredCard } from "@/components/CenteredCard";
import { ButtonLink } from "@/components/links";

export const metadata: Metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <CenteredCard>
      <Stack spacing={2} sx={{ alignItems: "flex-start" }}>
        <Typography variant="overline" color="text.secondary">
          Error 404
        </Typography>
        <Typography variant="h1">Page not found</Typography>
        <Typography color="text.secondary">
          We couldn&apos;t find the page you were looking for. It may have moved, or the address may be
          mistyped.
        </Typography>
        <ButtonLink href="/" variant="contained">
          Go to the console home
        </ButtonLink>
      </Stack>
    </CenteredCard>
  );
}
