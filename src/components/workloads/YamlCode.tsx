"use client";

import Box from "@mui/material/Box";
import { useMemo } from "react";
import { highlightYaml, type TokenKind } from "./yaml-highlight";

/** Token colours as CSS variables, so the light and the dark scheme each get readable ones. */
const COLORS: Record<TokenKind, string | undefined> = {
  key: "var(--yaml-key)",
  string: "var(--yaml-string)",
  number: "var(--yaml-number)",
  literal: "var(--yaml-literal)",
  comment: "var(--yaml-comment)",
  punctuation: "var(--yaml-punctuation)",
  marker: "var(--yaml-comment)",
  plain: undefined,
};

const LIGHT = {
  "--yaml-key": "#0b5cad",
  "--yaml-string": "#0a7a3d",
  "--yaml-number": "#b35c00",
  "--yaml-literal": "#8e24aa",
  "--yaml-comment": "#6a737d",
  "--yaml-punctuation": "#55606d",
  "--yaml-gutter": "#a0a8b3",
  "--yaml-bg": "#fbfcfe",
};

const DARK = {
  "--yaml-key": "#79b8ff",
  "--yaml-string": "#85e89d",
  "--yaml-number": "#ffab70",
  "--yaml-literal": "#d2a8ff",
  "--yaml-comment": "#959da5",
  "--yaml-punctuation": "#b0bac5",
  "--yaml-gutter": "#6a7682",
  "--yaml-bg": "#111a24",
};

/** Read-only YAML with line numbers and colours; the text stays selectable and copyable as is. */
export function YamlCode({ source, label }: { source: string; label: string }) {
  const lines = useMemo(() => highlightYaml(source.replace(/\n$/, "")), [source]);
  const gutter = String(lines.length).length;
  return (
    <Box
      component="pre"
      role="region"
      aria-label={label}
      tabIndex={0}
      data-testid="manifest-yaml"
      sx={(theme) => ({
        ...LIGHT,
        ...theme.applyStyles("dark", DARK),
        m: 0,
        p: 2,
        overflow: "auto",
        maxHeight: "70vh",
        bgcolor: "var(--yaml-bg)",
        fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
        fontSize: 13,
        lineHeight: 1.6,
        "&:focus-visible": { outline: "2px solid", outlineColor: "primary.main", outlineOffset: -2 },
      })}
    >
      <code>
        {lines.map((tokens, i) => (
          <Box component="span" key={i} sx={{ display: "block", minHeight: "1.6em" }}>
            <Box
              component="span"
              aria-hidden="true"
              sx={{
                display: "inline-block",
                width: `${gutter + 2}ch`,
                color: "var(--yaml-gutter)",
                userSelect: "none",
              }}
            >
              {String(i + 1).padStart(gutter, " ")}
            </Box>
            {tokens.map((token, j) => (
              <span
                key={j}
                style={{
                  color: COLORS[token.kind],
                  fontStyle: token.kind === "comment" ? "italic" : undefined,
                }}
              >
                {token.text}
              </span>
            ))}
          </Box>
        ))}
      </code>
    </Box>
  );
}
