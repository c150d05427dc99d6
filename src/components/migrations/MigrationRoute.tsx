import Box from "@mui/material/Box";

/** "source → target" (plain text, so it reads and copies as such). */
export function MigrationRoute({ source, target }: { source: string; target: string }) {
  return (
    <Box component="span" sx={{ whiteSpace: "nowrap" }}>
      {source}
      <Box component="span" sx={{ color: "text.secondary" }}>
        {" → "}
      </Box>
      {target}
    </Box>
  );
}
