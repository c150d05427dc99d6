"use client";

import Box from "@mui/material/Box";
import { useMemo } from "react";
import { highlightYaml, type TokenKind } from "./yaml-highlight";

const COLORS: Record<TokenKind, string | undefined> = {
  key: "#0b5cad",
  string: "#0a7a3d",
  number: "#b35c00",
  literal: "#8e24aa",
  comment: "#6a737d",
  punctuation: "#55606d",
  marker: "#6a737d",
  plain: undefined,
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
      sx={{
        m: 0,
        p: 2,
        overflow: "auto",
        maxHeight: "70vh",
        bgcolor: "#fbfcfe",
        fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
        fontSize: 13,
        lineHeight: 1.6,
        "&:focus-visible": { outline: "2px solid", outlineColor: "primary.main", outlineOffset: -2 },
      }}
    >
      <code>
        {lines.map((tokens, i) => (
          <Box component="span" key={i} sx={{ display: "block", minHeight: "1.6em" }}>
            <Box
              component="span"
              aria-hidden="true"
              sx={{ display: "inline-block", width: `${gutter + 2}ch`, color: "#a0a8b3", userSelect: "none" }}
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
