import Box from "@mui/material/Box";
import { HIDDEN_CLUSTER_LABEL } from "@/common/migration-status";

/** A cluster name, or the hidden-cluster label (in secondary italics) when the server withheld it. */
export function MigrationCluster({ name }: { name: string | null }) {
  if (name !== null) return <>{name}</>;
  return (
    <Box component="span" data-testid="hidden-cluster" sx={{ color: "text.secondary", fontStyle: "italic" }}>
      {HIDDEN_CLUSTER_LABEL}
    </Box>
  );
}

/** "source → target" (plain text, so it reads and copies as such); null: another provider's cluster. */
export function MigrationRoute({ source, target }: { source: string | null; target: string | null }) {
  return (
    <Box component="span" sx={{ whiteSpace: "nowrap" }}>
      <MigrationCluster name={source} />
      <Box component="span" sx={{ color: "text.secondary" }}>
        {" → "}
      </Box>
      <MigrationCluster name={target} />
    </Box>
  );
}
