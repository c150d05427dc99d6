import Box from "@mui/material/Box";

/** Id of the console's <main>, the skip link's target. */
export const MAIN_CONTENT_ID = "main-content";

/**
 * "Skip to content": the first focusable element of every console page, out
 * of sight until it has keyboard focus; it moves focus past the app bar and
 * the navigation to the page's main content.
 */
export function SkipLink() {
  return (
    <Box
      component="a"
      href={`#${MAIN_CONTENT_ID}`}
      data-testid="skip-link"
      sx={{
        position: "absolute",
        left: 8,
        top: 8,
        zIndex: 2000,
        px: 2,
        py: 1,
        borderRadius: 1,
        bgcolor: "background.paper",
        color: "primary.main",
        fontWeight: 500,
        textDecoration: "none",
        boxShadow: 3,
        transform: "translateY(-200%)",
        "&:focus": { transform: "none", outline: "2px solid", outlineColor: "primary.main" },
      }}
    >
      Skip to content
    </Box>
  );
}
