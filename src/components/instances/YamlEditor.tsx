"use client";

import Box from "@mui/material/Box";
import FormHelperText from "@mui/material/FormHelperText";
import FormLabel from "@mui/material/FormLabel";
import { useId, type ChangeEvent } from "react";

const MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
const LINE_HEIGHT = 1.6;

/**
 * A plain textarea for YAML with a line-number gutter: line numbers matter
 * because render and parse errors name a line. Tab is left to move focus
 * (the form stays keyboard-usable); indentation is typed with spaces, as
 * YAML wants anyway.
 */
export function YamlEditor({
  label,
  value,
  onChange,
  error,
  helperText,
  minLines = 8,
  placeholder,
  testId = "values-override",
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  helperText?: string;
  minLines?: number;
  placeholder?: string;
  testId?: string;
}) {
  const id = useId();
  const helpId = `${id}-help`;
  const lines = Math.max(value.split("\n").length, minLines);
  return (
    <Box>
      <FormLabel htmlFor={id} error={Boolean(error)} sx={{ display: "block", mb: 0.75, fontSize: 14 }}>
        {label}
      </FormLabel>
      <Box
        sx={{
          display: "flex",
          border: 1,
          borderColor: error ? "error.main" : "divider",
          borderRadius: 1,
          bgcolor: "background.paper",
          maxHeight: 360,
          overflow: "auto",
          "&:focus-within": {
            borderColor: error ? "error.main" : "primary.main",
            boxShadow: (theme) =>
              `0 0 0 1px ${error ? theme.palette.error.main : theme.palette.primary.main}`,
          },
        }}
      >
        <Box
          aria-hidden="true"
          sx={{
            py: 1,
            px: 1,
            minWidth: "3.5ch",
            textAlign: "right",
            color: "text.disabled",
            bgcolor: "action.hover",
            borderRight: 1,
            borderColor: "divider",
            fontFamily: MONO,
            fontSize: 13,
            lineHeight: LINE_HEIGHT,
            userSelect: "none",
            flexShrink: 0,
            height: "fit-content",
            minHeight: "100%",
          }}
        >
          {Array.from({ length: lines }, (_, i) => (
            <div key={i}>{i + 1}</div>
          ))}
        </Box>
        <Box
          component="textarea"
          id={id}
          value={value}
          onChange={(e: ChangeEvent<HTMLTextAreaElement>) => onChange(e.target.value)}
          rows={lines}
          wrap="off"
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          placeholder={placeholder}
          aria-invalid={Boolean(error)}
          aria-describedby={helpId}
          data-testid={testId}
          sx={{
            flexGrow: 1,
            minWidth: 0,
            border: 0,
            outline: 0,
            resize: "none",
            bgcolor: "transparent",
            py: 1,
            px: 1.5,
            fontFamily: MONO,
            fontSize: 13,
            lineHeight: LINE_HEIGHT,
            whiteSpace: "pre",
            overflowX: "auto",
            overflowY: "hidden",
            color: "text.primary",
          }}
        />
      </Box>
      <FormHelperText id={helpId} error={Boolean(error)} sx={{ mx: 1.75 }}>
        {error ?? helperText}
      </FormHelperText>
    </Box>
  );
}
