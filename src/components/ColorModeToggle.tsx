"use client";

import CheckIcon from "@mui/icons-material/Check";
import DarkModeOutlinedIcon from "@mui/icons-material/DarkModeOutlined";
import LightModeOutlinedIcon from "@mui/icons-material/LightModeOutlined";
import SettingsBrightnessOutlinedIcon from "@mui/icons-material/SettingsBrightnessOutlined";
import IconButton from "@mui/material/IconButton";
import ListItemIcon from "@mui/material/ListItemIcon";
import ListItemText from "@mui/material/ListItemText";
import Menu from "@mui/material/Menu";
import MenuItem from "@mui/material/MenuItem";
import Tooltip from "@mui/material/Tooltip";
import { useColorScheme } from "@mui/material/styles";
import { useId, useState, type ReactNode } from "react";
import { useHydrated } from "./ui/use-hydrated";

type Mode = "system" | "light" | "dark";

const MODES: { mode: Mode; label: string; icon: ReactNode }[] = [
  { mode: "system", label: "System", icon: <SettingsBrightnessOutlinedIcon fontSize="small" /> },
  { mode: "light", label: "Light", icon: <LightModeOutlinedIcon fontSize="small" /> },
  { mode: "dark", label: "Dark", icon: <DarkModeOutlinedIcon fontSize="small" /> },
];

/**
 * The app bar's colour theme choice: follow the system (`prefers-color-scheme`,
 * the default), or always light or dark. MUI remembers it in localStorage and
 * the root layout's script applies it before the first paint.
 */
export function ColorModeToggle() {
  const { mode, setMode } = useColorScheme();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const menuId = useId();
  const hydrated = useHydrated();
  // `mode` is undefined until the provider has read the stored choice (first client render).
  const currentMode: Mode = mode ?? "system";
  const current = MODES.find((m) => m.mode === currentMode) ?? MODES[0];
  const label = `Colour theme: ${current?.label ?? "System"}`;

  return (
    <>
      <Tooltip title={hydrated ? label : ""}>
        <IconButton
          color="inherit"
          aria-label={label}
          aria-haspopup="menu"
          aria-controls={anchor ? menuId : undefined}
          aria-expanded={anchor ? true : undefined}
          onClick={(event) => setAnchor(event.currentTarget)}
          disabled={!hydrated}
          data-testid="color-mode-button"
        >
          {current?.icon}
        </IconButton>
      </Tooltip>
      <Menu id={menuId} anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)}>
        {MODES.map((m) => (
          <MenuItem
            key={m.mode}
            role="menuitemradio"
            aria-checked={m.mode === currentMode}
            selected={m.mode === currentMode}
            onClick={() => {
              setMode(m.mode);
              setAnchor(null);
            }}
          >
            <ListItemIcon>{m.icon}</ListItemIcon>
            <ListItemText>{m.label}</ListItemText>
            {m.mode === currentMode && <CheckIcon fontSize="small" sx={{ ml: 2 }} aria-hidden="true" />}
          </MenuItem>
        ))}
      </Menu>
    </>
  );
}
