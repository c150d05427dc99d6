import Box from "@mui/material/Box";

/** In place of a detail the server withholds from a non-owner (another provider's endpoint or content id). */
export function Withheld() {
  return (
    <Box
      component="span"
      data-testid="withheld"
      title="Shown to the cluster's owner and to NEMO admins"
      sx={{ color: "text.secondary", fontStyle: "italic" }}
    >
      owner only
    </Box>
  );
}
