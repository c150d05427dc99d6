"use client";

import Button from "@mui/material/Button";
import Stack from "@mui/material/Stack";
import { ButtonLink } from "@/components/links";

/** The Cancel / Reset / Create row under a create page's form (the form submits on Create). */
export function FormActions({
  cancelHref,
  onReset,
  pending,
}: {
  /** Where Cancel leads back to. */
  cancelHref: string;
  onReset: () => void;
  /** While the create request runs: Reset is disabled, Create shows progress. */
  pending: boolean;
}) {
  return (
    <Stack direction="row" spacing={1.5} sx={{ justifyContent: "flex-end" }}>
      <ButtonLink href={cancelHref} color="inherit">
        Cancel
      </ButtonLink>
      <Button onClick={onReset} disabled={pending}>
        Reset
      </Button>
      <Button type="submit" variant="contained" loading={pending}>
        Create
      </Button>
    </Stack>
  );
}
