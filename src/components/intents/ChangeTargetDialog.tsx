"use client";

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogContentText from "@mui/material/DialogContentText";
import DialogTitle from "@mui/material/DialogTitle";
import InputAdornment from "@mui/material/InputAdornment";
import MenuItem from "@mui/material/MenuItem";
import Skeleton from "@mui/material/Skeleton";
import Stack from "@mui/material/Stack";
import TextField from "@mui/material/TextField";
import { useQuery } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { formErrors, NO_FORM_ERRORS, type FormErrors } from "@/components/ui/form-errors";
import { useConsoleMutation } from "@/components/ui/use-console-mutation";
import { useTRPC } from "@/trpc/react";
import type { RouterInputs, RouterOutputs } from "@/trpc/types";
import { valueWithUnit } from "./format";
import {
  boundsText,
  RANGE_CONDITIONS,
  targetValueError,
  targetValueOf,
  type IntentTypeChoice,
} from "./targets";

type Target = RouterOutputs["intent"]["report"]["intent"]["targets"][number];
type ChangeInput = RouterInputs["intent"]["changeTarget"];

export interface ChangeTargetIntent {
  id: string;
  shortId: string;
  intentType: string;
}

const keyOf = (t: Pick<Target, "expectationId" | "targetName">) => `${t.expectationId}/${t.targetName}`;

function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(", ");
  if (value === null || value === undefined) return "";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  // Target values are scalars; anything else shows as JSON rather than "[object Object]".
  return JSON.stringify(value);
}

function ChangeTargetForm({
  intent,
  targets,
  intentType,
  onClose,
  onChanged,
}: {
  intent: ChangeTargetIntent;
  targets: readonly Target[];
  intentType: IntentTypeChoice | undefined;
  onClose: () => void;
  onChanged: () => void;
}) {
  const trpc = useTRPC();
  const formId = useId();
  const first = targets[0];
  const [chosen, setChosen] = useState(first ? keyOf(first) : "");
  const target = targets.find((t) => keyOf(t) === chosen);
  const [condition, setCondition] = useState(first?.targetCondition ?? "");
  const [value, setValue] = useState(valueText(first?.targetValueRange));
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const catalogue = intentType?.targets.find((t) => t.name === target?.targetName);
  const conditions = catalogue?.conditions ?? (target ? [target.targetCondition] : []);
  const range = RANGE_CONDITIONS.has(condition);

  const change = useConsoleMutation(
    trpc.intent.changeTarget.mutationOptions({
      onSuccess: onChanged,
      onError: (error) => setErrors(formErrors(error)),
    }),
    {
      invalidates: [trpc.intent.pathKey()],
      succeeded: () =>
        `${target?.targetName ?? "Target"} of intent ${intent.shortId} is now ${condition} ${valueWithUnit(
          value,
          target?.unit,
        )}.`,
    },
  );

  const pick = (key: string) => {
    const next = targets.find((t) => keyOf(t) === key);
    setChosen(key);
    setCondition(next?.targetCondition ?? "");
    setValue(valueText(next?.targetValueRange));
    setErrors(NO_FORM_ERRORS);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!target) return;
    const problem = targetValueError(value, condition, catalogue);
    if (problem) {
      setErrors({ ...NO_FORM_ERRORS, fields: { targetValue: problem } });
      return;
    }
    const input: ChangeInput = {
      id: intent.id,
      targetName: target.targetName,
      expectationId: target.expectationId,
      targetCondition: condition as NonNullable<ChangeInput["targetCondition"]>,
      targetValue: targetValueOf(value, condition, catalogue),
    };
    change.mutate(input);
  };

  const f = errors.fields;
  return (
    <>
      <DialogContent>
        <Box component="form" id={formId} noValidate onSubmit={submit}>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <DialogContentText>
              The evaluator judges the intent against the new value from its next report on.
            </DialogContentText>
            {errors.form && <Alert severity="error">{errors.form}</Alert>}
            <TextField
              select
              label="Target"
              value={chosen}
              onChange={(e) => pick(e.target.value)}
              error={Boolean(f.targetName)}
              helperText={
                f.targetName ??
                (target
                  ? `Now ${target.targetCondition} ${valueWithUnit(target.targetValueRange, target.unit)}`
                  : " ")
              }
            >
              {targets.map((t) => (
                <MenuItem key={keyOf(t)} value={keyOf(t)}>
                  {t.targetName}
                  {targets.filter((o) => o.targetName === t.targetName).length > 1
                    ? ` (expectation ${t.expectationId})`
                    : ""}
                </MenuItem>
              ))}
            </TextField>
            <TextField
              select
              label="Target Condition"
              value={condition}
              onChange={(e) => {
                setCondition(e.target.value);
                setErrors(NO_FORM_ERRORS);
              }}
              error={Boolean(f.targetCondition)}
              helperText={f.targetCondition ?? " "}
            >
              {conditions.map((c) => (
                <MenuItem key={c} value={c}>
                  {c}
                </MenuItem>
              ))}
            </TextField>
            {catalogue?.valueType === "boolean" ? (
              <TextField
                select
                label="New Target Value"
                required
                value={value}
                onChange={(e) => setValue(e.target.value)}
                error={Boolean(f.targetValue)}
                helperText={f.targetValue ?? " "}
              >
                <MenuItem value="true">true</MenuItem>
                <MenuItem value="false">false</MenuItem>
              </TextField>
            ) : (
              <TextField
                label="New Target Value"
                required
                autoFocus
                value={value}
                onChange={(e) => {
                  setValue(e.target.value);
                  setErrors((x) => (x.fields.targetValue ? NO_FORM_ERRORS : x));
                }}
                error={Boolean(f.targetValue)}
                helperText={
                  f.targetValue ??
                  (range ? "Two values: low, high" : ((catalogue && boundsText(catalogue)) ?? " "))
                }
                slotProps={{
                  htmlInput: { inputMode: range ? "text" : "decimal", autoComplete: "off" },
                  input: target?.unit
                    ? { endAdornment: <InputAdornment position="end">{target.unit}</InputAdornment> }
                    : {},
                }}
              />
            )}
          </Stack>
        </Box>
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={onClose} color="inherit" disabled={change.isPending}>
          Cancel
        </Button>
        <Button type="submit" form={formId} variant="contained" loading={change.isPending} disabled={!target}>
          Save
        </Button>
      </DialogActions>
    </>
  );
}

/** "Edit target value": pick one of the intent's targets, see its condition, enter a new value. */
export function ChangeTargetDialog({
  intent,
  intentTypes,
  onClose,
  onChanged,
}: {
  intent: ChangeTargetIntent | null;
  intentTypes: readonly IntentTypeChoice[];
  onClose: () => void;
  onChanged: () => void;
}) {
  const trpc = useTRPC();
  const titleId = useId();
  const report = useQuery({
    ...trpc.intent.report.queryOptions({ id: intent?.id ?? "" }),
    enabled: intent !== null,
  });
  return (
    <Dialog open={intent !== null} onClose={onClose} aria-labelledby={titleId} maxWidth="sm" fullWidth>
      <DialogTitle id={titleId}>Edit target value</DialogTitle>
      {intent && report.data ? (
        <ChangeTargetForm
          // A fresh form per intent (its targets and current values).
          key={intent.id}
          intent={intent}
          targets={report.data.intent.targets}
          intentType={intentTypes.find((t) => t.type === intent.intentType)}
          onClose={onClose}
          onChanged={onChanged}
        />
      ) : (
        <DialogContent>
          {report.error ? (
            <Alert severity="error">{report.error.message}</Alert>
          ) : (
            <Skeleton variant="rounded" height={160} aria-label="Loading the targets" />
          )}
        </DialogContent>
      )}
    </Dialog>
  );
}
