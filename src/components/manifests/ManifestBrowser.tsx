"use client";

import ContentCopyIcon from "@mui/icons-material/ContentCopy";
import DownloadIcon from "@mui/icons-material/Download";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import Divider from "@mui/material/Divider";
import List from "@mui/material/List";
import ListItemButton from "@mui/material/ListItemButton";
import ListItemText from "@mui/material/ListItemText";
import Paper from "@mui/material/Paper";
import Stack from "@mui/material/Stack";
import Typography from "@mui/material/Typography";
import { useState } from "react";
import { useNotice } from "@/components/ui/Notice";
import { YamlCode } from "@/components/workloads/YamlCode";

/**
 * Rendered Kubernetes documents as `helm template` prints them: a list by
 * kind and name with each document's `# Source:` template, the selected one
 * as highlighted YAML, copy and download (one document or all of them).
 * Shared by every page that shows manifests; it takes the documents, not a
 * query, so it does not care where they came from.
 */
export interface ManifestDocument {
  source: string;
  kind: string;
  name: string;
  content: string;
}

/** A document as `helm template` prints it: its source comment, then the YAML. */
export function documentText(m: ManifestDocument): string {
  return `# Source: ${m.source}\n${m.content.replace(/\n*$/, "\n")}`;
}

export function allDocuments(manifests: readonly ManifestDocument[]): string {
  return manifests.map((m) => `---\n${documentText(m)}`).join("");
}

export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "application/yaml" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

export const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "-");

export function ManifestBrowser({
  manifests,
  downloadName,
}: {
  manifests: readonly ManifestDocument[];
  /** Base of the "download all" file name ("web-3f2a9c1"). */
  downloadName: string;
}) {
  const [selected, setSelected] = useState(0);
  const notify = useNotice();
  const index = Math.min(selected, manifests.length - 1);
  const current = manifests[index];
  if (!current) return null;
  const currentText = documentText(current);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(currentText);
      notify({ message: `Copied ${current.kind}/${current.name}`, autoHideMs: 3_000 });
    } catch {
      notify({ message: "Copying is blocked here; select the text and copy it instead.", autoHideMs: 3_000 });
    }
  };

  return (
    <>
      <Paper
        variant="outlined"
        sx={{ display: "flex", flexDirection: { xs: "column", md: "row" }, overflow: "hidden" }}
      >
        <Box
          sx={{ width: { md: 320 }, flexShrink: 0, borderRight: { md: 1 }, borderColor: { md: "divider" } }}
        >
          <Stack direction="row" sx={{ alignItems: "center", px: 2, pt: 1 }}>
            <Typography variant="overline" color="text.secondary" sx={{ flexGrow: 1 }}>
              {manifests.length} {manifests.length === 1 ? "document" : "documents"}
            </Typography>
            <Button
              size="small"
              startIcon={<DownloadIcon />}
              onClick={() =>
                downloadText(`${fileSafe(downloadName)}-manifests.yaml`, allDocuments(manifests))
              }
            >
              Download all
            </Button>
          </Stack>
          <List dense aria-label="Rendered documents" data-testid="manifest-list">
            {manifests.map((m, i) => (
              <ListItemButton
                key={`${m.source}-${m.kind}-${m.name}-${i}`}
                selected={i === index}
                onClick={() => setSelected(i)}
              >
                <ListItemText
                  primary={
                    <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
                      <Chip
                        label={m.kind}
                        size="small"
                        variant="outlined"
                        sx={{ height: 20, fontSize: 11 }}
                      />
                      <Box
                        component="span"
                        sx={{ fontWeight: 500, overflow: "hidden", textOverflow: "ellipsis" }}
                      >
                        {m.name || "(no name)"}
                      </Box>
                    </Stack>
                  }
                  secondary={m.source}
                  slotProps={{
                    secondary: {
                      sx: { fontFamily: "ui-monospace, monospace", fontSize: 11.5, wordBreak: "break-all" },
                    },
                  }}
                />
              </ListItemButton>
            ))}
          </List>
        </Box>
        <Box sx={{ flexGrow: 1, minWidth: 0 }}>
          <Stack direction="row" spacing={1} sx={{ alignItems: "center", px: 2, py: 1 }}>
            <Box sx={{ flexGrow: 1, minWidth: 0 }}>
              <Typography sx={{ fontWeight: 500 }} data-testid="manifest-title">
                {current.kind}/{current.name}
              </Typography>
              <Typography
                variant="body2"
                color="text.secondary"
                sx={{ fontFamily: "ui-monospace, monospace", fontSize: 12 }}
              >
                # Source: {current.source}
              </Typography>
            </Box>
            <Button size="small" startIcon={<ContentCopyIcon />} onClick={() => void copy()}>
              Copy
            </Button>
            <Button
              size="small"
              startIcon={<DownloadIcon />}
              onClick={() =>
                downloadText(
                  `${fileSafe(current.kind)}-${fileSafe(current.name)}.yaml`,
                  `---\n${currentText}`,
                )
              }
            >
              Download
            </Button>
          </Stack>
          <Divider />
          <YamlCode source={currentText} label={`${current.kind} ${current.name} YAML`} />
        </Box>
      </Paper>
    </>
  );
}
