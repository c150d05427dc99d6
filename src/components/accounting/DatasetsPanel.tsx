"use client";

import CloudUploadOutlinedIcon from "@mui/icons-material/CloudUploadOutlined";
import DatasetOutlinedIcon from "@mui/icons-material/DatasetOutlined";
import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import LinearProgress from "@mui/material/LinearProgress";
import Link from "@mui/material/Link";
import Stack from "@mui/material/Stack";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { firstListState } from "@/components/list-input";
import { Mono, ResourceTable, useListControls, type Column } from "@/components/ResourceTable";
import { Section } from "@/components/ui/Section";
import { Time } from "@/components/ui/Time";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { tokens } from "./tokens";
import { uploadDataset } from "./upload-dataset";

type Row = RouterOutputs["dataset"]["list"]["items"][number];
type Sort = "createdAt" | "fileName" | "type" | "sizeBytes";

function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

function UploadForm({ onUploaded }: { onUploaded: () => void }) {
  const trpc = useTRPC();
  const usage = useQuery(trpc.dataset.usage.queryOptions());
  const [fields, setFields] = useState({ type: "", description: "", metadata: "" });
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [outcome, setOutcome] = useState<{
    severity: "success" | "error";
    text: string;
    field?: string | null;
  } | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) {
      setOutcome({ severity: "error", text: "Choose the dataset's file.", field: "file" });
      return;
    }
    setProgress(0);
    setOutcome(null);
    const result = await uploadDataset(fields, file, setProgress);
    setProgress(null);
    if (result.ok) {
      const reward =
        result.dataset.rewardUnits === "0"
          ? "no reward: you had provided this file before"
          : `rewarded ${tokens(result.dataset.rewardUnits)}`;
      setOutcome({ severity: "success", text: `Uploaded ${result.dataset.fileName} (${reward}).` });
      setFields({ type: "", description: "", metadata: "" });
      setFile(null);
      if (input.current) input.current.value = "";
      onUploaded();
    } else {
      setOutcome({ severity: "error", text: result.message, field: result.field });
    }
  };
  const fieldError = (name: string) =>
    outcome?.severity === "error" && outcome.field === name ? outcome.text : undefined;
  return (
    <Section
      title="Upload a dataset"
      icon={<CloudUploadOutlinedIcon />}
      testId="dataset-upload"
      description={
        usage.data
          ? `Each new file earns you 10 tokens, once. At most ${bytes(usage.data.maxBytes)} per file; you keep ${usage.data.count} of ${usage.data.maxPerUser} datasets.`
          : "Each new file earns you 10 tokens, once."
      }
    >
      <Stack component="form" spacing={1.5} onSubmit={(e) => void submit(e)} noValidate>
        <Stack direction={{ xs: "column", md: "row" }} spacing={1.5}>
          <TextField
            label="Type"
            required
            size="small"
            value={fields.type}
            onChange={(e) => setFields({ ...fields, type: e.target.value })}
            slotProps={{ htmlInput: { maxLength: 40 } }}
            error={Boolean(fieldError("type"))}
            helperText={fieldError("type") ?? "At most 40 characters (csv, images, …)"}
          />
          <TextField
            label="Description"
            size="small"
            value={fields.description}
            onChange={(e) => setFields({ ...fields, description: e.target.value })}
            slotProps={{ htmlInput: { maxLength: 80 } }}
            error={Boolean(fieldError("description"))}
            helperText={fieldError("description") ?? "At most 80 characters"}
            sx={{ flexGrow: 1 }}
          />
          <TextField
            label="Metadata"
            size="small"
            value={fields.metadata}
            onChange={(e) => setFields({ ...fields, metadata: e.target.value })}
            slotProps={{ htmlInput: { maxLength: 55 } }}
            error={Boolean(fieldError("metadata"))}
            helperText={fieldError("metadata") ?? "At most 55 characters"}
          />
        </Stack>
        <Stack direction="row" spacing={1.5} sx={{ alignItems: "center" }}>
          <Button variant="outlined" component="label">
            Choose file
            <input
              ref={input}
              type="file"
              hidden
              aria-label="Dataset file"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          </Button>
          <Typography variant="body2" color="text.secondary" data-testid="dataset-file-name">
            {file ? `${file.name} (${bytes(file.size)})` : "No file chosen"}
          </Typography>
          <Button type="submit" variant="contained" disabled={progress !== null}>
            Upload
          </Button>
        </Stack>
        {progress !== null ? (
          <LinearProgress
            variant="determinate"
            value={Math.round(progress * 100)}
            aria-label="Upload progress"
          />
        ) : null}
        {outcome ? (
          <Alert severity={outcome.severity} data-testid="dataset-upload-outcome">
            {outcome.text}
          </Alert>
        ) : null}
      </Stack>
    </Section>
  );
}

/** The caller's datasets (admins: everyone's) with their rewards; upload, download and delete. */
export function DatasetsPanel() {
  const trpc = useTRPC();
  const client = useQueryClient();
  const controls = useListControls(firstListState<Sort>("createdAt", "desc"));
  const result = useQuery({
    ...trpc.dataset.list.queryOptions(controls.input),
    placeholderData: keepPreviousData,
  });
  const [deleting, setDeleting] = useState<Row | null>(null);
  const refresh = () => {
    void client.invalidateQueries({ queryKey: trpc.dataset.pathKey() });
    void client.invalidateQueries({ queryKey: trpc.accounting.pathKey() });
  };
  const remove = useMutation(
    trpc.dataset.delete.mutationOptions({
      onSuccess: () => {
        setDeleting(null);
        refresh();
      },
    }),
  );
  const columns: Column<Row, Sort>[] = [
    { key: "fileName", label: "File", sort: "fileName", render: (d) => d.fileName },
    { key: "type", label: "Type", sort: "type", render: (d) => d.type },
    { key: "description", label: "Description", hideBelow: "lg", render: (d) => d.description || "—" },
    { key: "size", label: "Size", sort: "sizeBytes", align: "right", render: (d) => bytes(d.sizeBytes) },
    {
      key: "sha",
      label: "SHA-256",
      hideBelow: "xl",
      render: (d) => <Mono title={d.sha256}>{d.sha256.slice(0, 12)}…</Mono>,
    },
    {
      key: "reward",
      label: "Reward",
      align: "right",
      render: (d) => <span data-testid="dataset-reward">{tokens(d.rewardUnits)}</span>,
    },
    { key: "owner", label: "Owner", hideBelow: "md", render: (d) => d.owner.username },
    { key: "createdAt", label: "Uploaded", sort: "createdAt", render: (d) => <Time value={d.createdAt} /> },
    {
      key: "actions",
      label: "",
      align: "right",
      render: (d) => (
        <Stack direction="row" spacing={1} sx={{ justifyContent: "flex-end" }}>
          <Link href={`/api/v1/dataset/${d.id}/download/`} download={d.fileName}>
            Download
          </Link>
          <Button
            size="small"
            color="error"
            onClick={() => setDeleting(d)}
            aria-label={`Delete ${d.fileName}`}
          >
            Delete
          </Button>
        </Stack>
      ),
    },
  ];
  return (
    <Stack spacing={2}>
      <UploadForm onUploaded={refresh} />
      <ResourceTable
        noun="datasets"
        columns={columns}
        rowKey={(d) => d.id}
        controls={controls}
        result={result}
        empty={{
          icon: <DatasetOutlinedIcon />,
          title: "No datasets yet",
          description: "Upload a file above: the first upload of each file earns you 10 tokens.",
        }}
      />
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.fileName ?? "the dataset"}?`}
        confirmLabel="Delete"
        pending={remove.isPending}
        error={remove.error?.message}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id })}
      >
        The file is removed from the store. Its reward stays on the ledger; uploading the same file again
        earns nothing.
      </ConfirmDialog>
    </Stack>
  );
}
