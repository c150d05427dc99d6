"use client";

import AddIcon from "@mui/icons-material/Add";
import DeleteOutlineIcon from "@mui/icons-material/DeleteOutlineOutlined";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import IconButton from "@mui/material/IconButton";
import InputAdornment from "@mui/material/InputAdornment";
import MenuItem from "@mui/material/MenuItem";
import Stack from "@mui/material/Stack";
import TextField from "@mui/material/TextField";
import Tooltip from "@mui/material/Tooltip";
import {
  boundsText,
  defaultConditionOfChoice,
  newTargetRow,
  RANGE_CONDITIONS,
  type IntentTypeChoice,
  type TargetRow,
} from "./targets";

/**
 * The target rows of an intent (name / condition / value, add and remove),
 * validated per catalogue target: the instance form's intent template and
 * the Create Intent form both use it. The parent owns the rows and the
 * messages; `path` is where the API reports a row's errors
 * ("intent.targets" → "intent.targets.0.targetValue").
 */
export function IntentTargetRows({
  intentType,
  rows,
  onChange,
  errors,
  path,
  onClearErrors,
  disabled = false,
}: {
  intentType: IntentTypeChoice;
  rows: readonly TargetRow[];
  onChange: (rows: TargetRow[]) => void;
  errors: Record<string, string>;
  path: string;
  /** Drop the messages whose keys match (a changed or removed row). */
  onClearErrors: (match: (key: string) => boolean) => void;
  disabled?: boolean;
}) {
  const setRow = (index: number, patch: Partial<TargetRow>) => {
    onChange(
      rows.map((row, i) => {
        if (i !== index) return row;
        const next = { ...row, ...patch };
        // A new target brings its own conditions: keep the condition only if it still applies.
        if (patch.targetName !== undefined) {
          const target = intentType.targets.find((t) => t.name === patch.targetName);
          if (target && !target.conditions.includes(next.targetCondition)) {
            next.targetCondition = defaultConditionOfChoice(target);
          }
          if (target?.valueType !== intentType.targets.find((t) => t.name === row.targetName)?.valueType) {
            next.targetValue = "";
          }
        }
        return next;
      }),
    );
    const changed = new Set([path, ...Object.keys(patch).map((field) => `${path}.${index}.${field}`)]);
    // A new condition can make the value right or wrong: its message goes too.
    if (patch.targetCondition !== undefined || patch.targetName !== undefined)
      changed.add(`${path}.${index}.targetValue`);
    onClearErrors((key) => changed.has(key));
  };

  const removeRow = (index: number) => {
    onChange(rows.filter((_, i) => i !== index));
    // Messages are keyed by row position: after a removal they no longer point at the right rows.
    onClearErrors((key) => key.startsWith(path));
  };

  return (
    <Stack spacing={2} role="group" aria-label="Targets" data-testid="intent-targets">
      {rows.map((row, i) => {
        const target = intentType.targets.find((t) => t.name === row.targetName);
        const at = `${path}.${i}`;
        const range = RANGE_CONDITIONS.has(row.targetCondition);
        const valueError = errors[`${at}.targetValue`];
        return (
          <Stack
            key={row.key}
            direction={{ xs: "column", md: "row" }}
            spacing={2}
            sx={{ alignItems: { md: "flex-start" } }}
            data-testid="target-row"
          >
            <TextField
              select
              label="Target Name"
              fullWidth
              disabled={disabled}
              value={row.targetName}
              onChange={(e) => setRow(i, { targetName: e.target.value })}
              error={Boolean(errors[`${at}.targetName`])}
              helperText={errors[`${at}.targetName`] ?? target?.label ?? " "}
            >
              {intentType.targets.map((t) => (
                <MenuItem key={t.name} value={t.name}>
                  {t.name}
                </MenuItem>
              ))}
            </TextField>
            <TextField
              select
              label="Target Condition"
              fullWidth
              disabled={disabled}
              value={row.targetCondition}
              onChange={(e) => setRow(i, { targetCondition: e.target.value })}
              error={Boolean(errors[`${at}.targetCondition`])}
              helperText={errors[`${at}.targetCondition`] ?? " "}
            >
              {(target?.conditions ?? []).map((c) => (
                <MenuItem key={c} value={c}>
                  {c}
                </MenuItem>
              ))}
            </TextField>
            {target?.valueType === "boolean" ? (
              <TextField
                select
                label="Target Value"
                fullWidth
                required
                disabled={disabled}
                value={row.targetValue}
                onChange={(e) => setRow(i, { targetValue: e.target.value })}
                error={Boolean(valueError)}
                helperText={valueError ?? " "}
              >
                <MenuItem value="true">true</MenuItem>
                <MenuItem value="false">false</MenuItem>
              </TextField>
            ) : (
              <TextField
                label="Target Value"
                fullWidth
                required
                disabled={disabled}
                value={row.targetValue}
                onChange={(e) => setRow(i, { targetValue: e.target.value })}
                error={Boolean(valueError)}
                helperText={
                  valueError ?? (range ? "Two values: low, high" : ((target && boundsText(target)) ?? " "))
                }
                slotProps={{
                  htmlInput: { inputMode: range ? "text" : "decimal", autoComplete: "off" },
                  input: target?.unit
                    ? { endAdornment: <InputAdornment position="end">{target.unit}</InputAdornment> }
                    : {},
                }}
              />
            )}
            <Tooltip title="Remove this target">
              <span>
                <IconButton
                  aria-label={`Remove target ${i + 1}`}
                  onClick={() => removeRow(i)}
                  disabled={disabled || rows.length === 1}
                  sx={{ mt: { md: 1 } }}
                >
                  <DeleteOutlineIcon />
                </IconButton>
              </span>
            </Tooltip>
          </Stack>
        );
      })}
      <Box>
        <Button
          startIcon={<AddIcon />}
          disabled={disabled}
          onClick={() => onChange([...rows, newTargetRow(intentType)])}
        >
          Add target
        </Button>
      </Box>
    </Stack>
  );
}
