import Box from "@mui/material/Box";
import Typography from "@mui/material/Typography";
import { intentTypeDisplayName, intentTypeSecondary } from "@/common/intent-catalogue";

/**
 * An intent type shown the one way every view shows it: the catalogue's
 * display name ("Green energy") with the 3GPP / catalogue name
 * ("GreenEnergy") as a quieter secondary label when it differs. Text-only
 * places (titles, messages, aria labels) use `intentTypeLabel` /
 * `intentTypeDisplayName` from `@/common/intent-catalogue` instead.
 */
export function IntentTypeName({
  type,
  layout = "inline",
  strong = false,
}: {
  type: string;
  /** `stacked`: the secondary label on its own line (table cells). */
  layout?: "inline" | "stacked";
  strong?: boolean;
}) {
  const secondary = intentTypeSecondary(type);
  return (
    <Box component="span" data-testid="intent-type-name" data-intent-type={type}>
      <Box component="span" sx={strong ? { fontWeight: 600 } : undefined}>
        {intentTypeDisplayName(type)}
      </Box>
      {secondary && " "}
      {secondary && (
        <Typography
          component="span"
          variant="caption"
          color="text.secondary"
          sx={{
            fontFamily: "monospace",
            ...(layout === "stacked" ? { display: "block" } : { ml: 0.75 }),
          }}
        >
          {secondary}
        </Typography>
      )}
    </Box>
  );
}
