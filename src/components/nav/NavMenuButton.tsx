"use client";

import MenuIcon from "@mui/icons-material/Menu";
import IconButton from "@mui/material/IconButton";
import { useHydrated } from "../ui/use-hydrated";
import { useNav } from "./NavContext";
import { MOBILE_NAV_ID } from "./SideNav";

/** Narrow screens: the app bar's button that opens the navigation drawer. */
export function NavMenuButton() {
  const nav = useNav();
  const hydrated = useHydrated();
  return (
    <IconButton
      color="inherit"
      edge="start"
      aria-label="Open navigation"
      aria-controls={MOBILE_NAV_ID}
      aria-expanded={nav.mobileOpen}
      onClick={() => nav.setMobileOpen(true)}
      disabled={!hydrated}
      sx={{ display: { xs: "inline-flex", md: "none" } }}
      data-testid="nav-menu-button"
    >
      <MenuIcon />
    </IconButton>
  );
}
