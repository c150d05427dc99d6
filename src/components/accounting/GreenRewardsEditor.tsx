"use client";

import AddIcon from "@mui/icons-material/Add";
import DeleteOutlineIcon from "@mui/icons-material/DeleteOutlineOutlined";
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import IconButton from "@mui/material/IconButton";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import TextField from "@mui/material/TextField";
import ToggleButton from "@mui/material/ToggleButton";
import ToggleButtonGroup from "@mui/material/ToggleButtonGroup";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { MAX_GREEN_REWARD_ROWS } from "@/common/accounting-limits";
import { formatTokens, tokensToUnits } from "@/common/tokens";
import { formErrors } from "@/components/ui/form-errors";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";

/**
 * The green-energy reward table (Accounting page, admin section; read-only
 * for other roles): the preset in force — "default" (0.2 token per 20 %,
 * 1 token at 100 %) or the reference platform's listing (100 % → 0.1 token,
 * no 60 % row, so 0) — or a custom table edited row by row, in tokens. A
 * compute charge loses the reward of its cluster's green-energy percentage
 * when it is at least that much.
 */

type GreenRewards = RouterOutputs["accounting"]["greenRewards"];
interface DraftRow {
  key: number;
  percent: string;
  tokens: string;
}

const PRESET_TEXT: Record<GreenRewards["preset"], string> = {
  default: "Default: 0.2 token per 20 % of green energy, 1 token at 100 %.",
  reference:
    "Reference: the reference platform's table as listed — 100 % earns 0.1 token and there is no 60 % row (0).",
  custom: "Custom: edited by an admin.",
};

let nextKey = 1;
const draftRows = (rows: GreenRewards["rewards"]): DraftRow[] =>
  rows.map((r) => ({
    key: nextKey++,
    percent: String(r.percent),
    tokens: formatTokens(BigInt(r.reward)).replace(/ tokens?$/, ""),
  }));

function Editor({ table, canEdit }: { table: GreenRewards; canEdit: boolean }) {
  const trpc = useTRPC();
  const captionId = useId();
  const [rows, setRows] = useState<DraftRow[]>(() => draftRows(table.rewards));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const save = useConsoleMutation(
    trpc.accounting.setGreenRewards.mutationOptions({
      onSuccess: (saved) => {
        setRows(draftRows(saved.rewards));
        setErrors({});
        setFormError(undefined);
      },
      onError: (error) => {
        const parsed = formErrors(error);
        setErrors(parsed.fields);
        setFormError(parsed.form ?? (Object.keys(parsed.fields).length ? undefined : error.message));
      },
    }),
    {
      invalidates: [trpc.accounting.greenRewards.queryKey(), trpc.accounting.settings.queryKey()],
      succeeded: (saved) =>
        saved.preset === "custom"
          ? "Green reward table saved."
          : `Green reward table set to the ${saved.preset} preset.`,
    },
  );

  const setRow = (key: number, patch: Partial<DraftRow>) => {
    setRows((current) => current.map((r) => (r.key === key ? { ...r, ...patch } : r)));
    setErrors({});
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    const rewards = rows.map((row, index) => {
      const percent = Number(row.percent);
      if (row.percent.trim() === "" || !Number.isInteger(percent) || percent < 0 || percent > 100) {
        found[`rewards.${index}.percent`] = "Percent must be a whole number from 0 to 100.";
      }
      const units = tokensToUnits(row.tokens);
      if (units === null)
        found[`rewards.${index}.reward`] = "Write tokens with at most 8 decimals, like 0.2.";
      return { percent, reward: (units ?? 0n).toString() };
    });
    if (Object.keys(found).length > 0) {
      setErrors(found);
      return;
    }
    save.mutate({ rewards });
  };

  return (
    <Stack spacing={2} data-testid="green-rewards-editor">
      <Stack direction={{ xs: "column", sm: "row" }} spacing={2} sx={{ alignItems: { sm: "center" } }}>
        <ToggleButtonGroup
          exclusive
          size="small"
          value={table.preset}
          disabled={!canEdit || save.isPending}
          onChange={(_event, preset: "default" | "reference" | "custom" | null) => {
            // Custom is what an edited table becomes; choosing it changes nothing by itself.
            if (preset === "default" || preset === "reference") save.mutate({ preset });
          }}
          aria-label="Green reward preset"
        >
          <ToggleButton value="default">Default</ToggleButton>
          <ToggleButton value="reference">Reference</ToggleButton>
          <ToggleButton value="custom" disabled>
            Custom
          </ToggleButton>
        </ToggleButtonGroup>
        <Typography variant="body2" color="text.secondary">
          {PRESET_TEXT[table.preset]}
        </Typography>
      </Stack>
      {formError && <Alert severity="error">{formError}</Alert>}
      <Box component="form" onSubmit={submit} noValidate>
        <Paper variant="outlined">
          <Table size="small" aria-describedby={captionId}>
            <caption id={captionId} style={{ captionSide: "top", textAlign: "left", padding: "8px 16px" }}>
              Reward per cluster green-energy percentage; a percentage without a row earns 0.
            </caption>
            <TableHead>
              <TableRow>
                <TableCell>Green energy %</TableCell>
                <TableCell>Reward (tokens)</TableCell>
                {canEdit && <TableCell align="right">Remove</TableCell>}
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.length === 0 && (
                <TableRow>
                  <TableCell colSpan={3}>
                    <Typography variant="body2" color="text.secondary">
                      No rows: no cluster earns a green reward.
                    </Typography>
                  </TableCell>
                </TableRow>
              )}
              {rows.map((row, index) => (
                <TableRow key={row.key}>
                  <TableCell>
                    {canEdit ? (
                      <TextField
                        size="small"
                        value={row.percent}
                        onChange={(e) => setRow(row.key, { percent: e.target.value })}
                        error={Boolean(errors[`rewards.${index}.percent`])}
                        helperText={errors[`rewards.${index}.percent`]}
                        slotProps={{
                          htmlInput: {
                            inputMode: "numeric",
                            maxLength: 3,
                            "aria-label": `Percent, row ${index + 1}`,
                          },
                        }}
                      />
                    ) : (
                      `${row.percent} %`
                    )}
                  </TableCell>
                  <TableCell>
                    {canEdit ? (
                      <TextField
                        size="small"
                        value={row.tokens}
                        onChange={(e) => setRow(row.key, { tokens: e.target.value })}
                        error={Boolean(errors[`rewards.${index}.reward`])}
                        helperText={errors[`rewards.${index}.reward`]}
                        slotProps={{
                          htmlInput: {
                            inputMode: "decimal",
                            maxLength: 30,
                            "aria-label": `Reward in tokens, row ${index + 1}`,
                          },
                        }}
                      />
                    ) : (
                      formatTokens(tokensToUnits(row.tokens) ?? 0n)
                    )}
                  </TableCell>
                  {canEdit && (
                    <TableCell align="right">
                      <IconButton
                        aria-label={`Remove the ${row.percent} % row`}
                        onClick={() => {
                          setRows((current) => current.filter((r) => r.key !== row.key));
                          setErrors({});
                        }}
                      >
                        <DeleteOutlineIcon />
                      </IconButton>
                    </TableCell>
                  )}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Paper>
        {canEdit && (
          <Stack direction="row" spacing={1} sx={{ mt: 1.5 }}>
            <Button
              startIcon={<AddIcon />}
              disabled={rows.length >= MAX_GREEN_REWARD_ROWS}
              onClick={() => setRows((current) => [...current, { key: nextKey++, percent: "", tokens: "0" }])}
            >
              Add row
            </Button>
            <Button type="submit" variant="contained" disabled={save.isPending}>
              Save table
            </Button>
          </Stack>
        )}
      </Box>
    </Stack>
  );
}

export function GreenRewardsEditor({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const table = useQuery(trpc.accounting.greenRewards.queryOptions());
  if (table.isError) {
    return (
      <Alert
        severity="error"
        action={
          <Button color="inherit" size="small" onClick={() => void table.refetch()}>
            Retry
          </Button>
        }
      >
        The green reward table could not be loaded: {table.error.message}
      </Alert>
    );
  }
  if (!table.data)
    return <Skeleton variant="rounded" height={240} aria-label="Loading the green reward table" />;
  // Keyed by the saved table: a save or a preset switch elsewhere starts the draft again from it.
  return (
    <Editor
      key={`${table.data.preset}:${table.data.rewards.map((r) => `${r.percent}=${r.reward}`).join(",")}`}
      table={table.data}
      canEdit={canEdit}
    />
  );
}
