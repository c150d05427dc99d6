"use client";

import { createTheme } from "@mui/material/styles";

/** One theme for the console: calm blues, dense tables, Roboto from @fontsource (no remote fonts). */
export const theme = createTheme({
  cssVariables: true,
  palette: {
    mode: "light",
    primary: { main: "#0b5cad", dark: "#07427d", light: "#4f8fd1", contrastText: "#ffffff" },
    secondary: { main: "#00897b" },
    background: { default: "#f3f5f9", paper: "#ffffff" },
    text: { primary: "#17212b", secondary: "#55606d" },
    divider: "#dde2ea",
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
    MuiPaper: { styleOverrides: { outlined: { borderColor: "#dde2ea" } } },
    MuiTableCell: {
      styleOverrides: {
        head: { fontWeight: 600, color: "#37424f", backgroundColor: "#f7f9fc", whiteSpace: "nowrap" },
      },
    },
    MuiChip: { styleOverrides: { root: { fontWeight: 500 } } },
    MuiButtonBase: { defaultProps: { disableRipple: false } },
  },
});
