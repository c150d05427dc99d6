"use client";

import Accordion from "@mui/material/Accordion";
import AccordionDetails from "@mui/material/AccordionDetails";
import AccordionSummary from "@mui/material/AccordionSummary";
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Chip from "@mui/material/Chip";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import ExpandMoreIcon from "@mui/icons-material/ExpandMore";
import type { DiffLine } from "@/common/line-diff";
import type { RouterOutputs } from "@/trpc/types";

type Diff = RouterOutputs["instance"]["previewChange"]["diff"];

const MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
/** Unchanged lines kept around each change; longer runs fold into "… n unchanged lines". */
const CONTEXT = 3;

const CHANGE_COLOR = { added: "success", removed: "error", changed: "warning" } as const;

type Row = { kind: "line"; line: DiffLine } | { kind: "fold"; count: number };

/** The lines worth reading: every change with a few unchanged lines around it, the rest folded. */
function withContext(lines: readonly DiffLine[]): Row[] {
  const keep = lines.map(() => false);
  lines.forEach((line, i) => {
    if (line.op === "same") return;
    for (let j = Math.max(0, i - CONTEXT); j <= Math.min(lines.length - 1, i + CONTEXT); j++) keep[j] = true;
  });
  const rows: Row[] = [];
  let folded = 0;
  lines.forEach((line, i) => {
    if (keep[i]) {
      if (folded > 0) rows.push({ kind: "fold", count: folded });
      folded = 0;
      rows.push({ kind: "line", line });
    } else {
      folded++;
    }
  });
  if (folded > 0) rows.push({ kind: "fold", count: folded });
  return rows;
}

function LineDiff({ lines }: { lines: readonly DiffLine[] }) {
  const rows = withContext(lines);
  return (
    <Box
      component="pre"
      sx={{ m: 0, p: 1, overflowX: "auto", fontFamily: MONO, fontSize: 12.5, lineHeight: 1.55 }}
      aria-label="Line diff"
    >
      {rows.map((row, i) =>
        row.kind === "fold" ? (
          <Box key={i} component="div" sx={{ color: "text.secondary", fontStyle: "italic" }}>
            {`… ${row.count} unchanged line${row.count === 1 ? "" : "s"}`}
          </Box>
        ) : (
          <Box
            key={i}
            component="div"
            data-op={row.line.op}
            sx={{
              whiteSpace: "pre",
              bgcolor:
                row.line.op === "added"
                  ? "rgba(46, 125, 50, 0.14)"
                  : row.line.op === "removed"
                    ? "rgba(198, 40, 40, 0.14)"
                    : "transparent",
            }}
          >
            {`${row.line.op === "added" ? "+" : row.line.op === "removed" ? "-" : " "} ${row.line.text}`}
          </Box>
        ),
      )}
    </Box>
  );
}

/** The manifest diff of a change: each object added, removed or changed, with its line diff. */
export function ManifestDiffView({ diff }: { diff: Diff }) {
  if (diff.objects.length === 0) {
    return (
      <Alert severity="info" data-testid="manifest-diff-empty">
        The manifests stay as they are ({diff.unchanged} object{diff.unchanged === 1 ? "" : "s"} unchanged).
      </Alert>
    );
  }
  return (
    <Stack spacing={1} data-testid="manifest-diff">
      <Typography variant="body2" color="text.secondary">
        {diff.objects.length} object{diff.objects.length === 1 ? "" : "s"} change, {diff.unchanged} stay as
        they are.
      </Typography>
      {diff.objects.map((object) => (
        <Accordion
          key={`${object.kind}/${object.name}`}
          disableGutters
          variant="outlined"
          defaultExpanded={diff.objects.length <= 3}
          data-testid="manifest-diff-object"
        >
          <AccordionSummary expandIcon={<ExpandMoreIcon />}>
            <Stack direction="row" spacing={1} sx={{ alignItems: "center", flexWrap: "wrap" }}>
              <Chip size="small" color={CHANGE_COLOR[object.change]} label={object.change} />
              <Typography sx={{ fontFamily: MONO, fontSize: 14 }}>
                {object.kind}/{object.name}
              </Typography>
              <Typography variant="body2" color="text.secondary">
                +{object.added} −{object.removed}
              </Typography>
              {object.secretValuesChanged && (
                <Chip size="small" variant="outlined" label="secret values change (hidden)" />
              )}
            </Stack>
          </AccordionSummary>
          <AccordionDetails sx={{ p: 0 }}>
            <LineDiff lines={object.lines} />
          </AccordionDetails>
        </Accordion>
      ))}
    </Stack>
  );
}
