"use client";

import { createTheme } from "@mui/material/styles";
import { COLOR_SCHEME_ATTRIBUTE } from "./color-scheme";

const focusRing = {
  outline: "2px solid var(--mui-palette-primary-main)",
  outlineOffset: 2,
} as const;

/**
 * One theme for the console: calm blues, dense tables, Roboto from
 * @fontsource (no remote fonts); a light and a dark scheme as CSS variables.
 */
export const theme = createTheme({
  cssVariables: { colorSchemeSelector: COLOR_SCHEME_ATTRIBUTE },
  colorSchemes: {
    light: {
      palette: {
        primary: { main: "#0b5cad", dark: "#07427d", light: "#4f8fd1", contrastText: "#ffffff" },
        secondary: { main: "#00897b" },
        background: { default: "#f3f5f9", paper: "#ffffff" },
        text: { primary: "#17212b", secondary: "#55606d" },
        divider: "#dde2ea",
      },
    },
    dark: {
      palette: {
        primary: { main: "#7fb4ef", dark: "#4f8fd1", light: "#a9cdf5", contrastText: "#0d1b2a" },
        secondary: { main: "#4dd0c1" },
        background: { default: "#0f1620", paper: "#17212d" },
        text: { primary: "#e4eaf1", secondary: "#a3b0bf" },
        divider: "#2c3a4a",
      },
    },
  },
  shape: { borderRadius: 10 },
  typography: {
    fontFamily: "Roboto, 'Helvetica Neue', Arial, sans-serif",
    h1: { fontSize: "1.75rem", fontWeight: 500, letterSpacing: "-0.01em" },
    h2: { fontSize: "1.35rem", fontWeight: 500 },
    h3: { fontSize: "1.1rem", fontWeight: 500 },
    button: { textTransform: "none", fontWeight: 500 },
  },
  components: {
    MuiAppBar: { defaultProps: { elevation: 0 } },
    MuiCard: { defaultProps: { variant: "outlined" } },
    MuiPaper: {
      styleOverrides: { outlined: ({ theme }) => ({ borderColor: theme.vars.palette.divider }) },
    },
    MuiTableCell: {
      styleOverrides: {
        head: ({ theme }) => ({
          fontWeight: 600,
          color: "#37424f",
          backgroundColor: "#f7f9fc",
          whiteSpace: "nowrap",
          ...theme.applyStyles("dark", { color: "#c9d4e0", backgroundColor: "#1c2836" }),
        }),
      },
    },
    MuiChip: { styleOverrides: { root: { fontWeight: 500 } } },
    MuiButtonBase: { defaultProps: { disableRipple: false } },
    // A keyboard user sees where they are: a ring on icon buttons, buttons and list entries.
    MuiIconButton: { styleOverrides: { root: { "&.Mui-focusVisible": focusRing } } },
    MuiButton: { styleOverrides: { root: { "&.Mui-focusVisible": focusRing } } },
    MuiListItemButton: {
      styleOverrides: { root: { "&.Mui-focusVisible": { ...focusRing, outlineOffset: -2 } } },
    },
  },
});

// The theme always has CSS variables: `theme.vars` is typed as present, and the
// provider's CSS-variable props (forceThemeRerender) are available.
declare module "@mui/material/styles" {
  interface CssThemeVariables {
    enabled: true;
  }
}
