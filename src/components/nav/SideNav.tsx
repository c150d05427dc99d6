"use client";

import ChevronLeftIcon from "@mui/icons-material/ChevronLeft";
import ChevronRightIcon from "@mui/icons-material/ChevronRight";
import CodeOutlinedIcon from "@mui/icons-material/CodeOutlined";
import HomeOutlinedIcon from "@mui/icons-material/HomeOutlined";
import Box from "@mui/material/Box";
import Divider from "@mui/material/Divider";
import Drawer from "@mui/material/Drawer";
import IconButton from "@mui/material/IconButton";
import List from "@mui/material/List";
import ListItem from "@mui/material/ListItem";
import ListItemButton from "@mui/material/ListItemButton";
import ListItemIcon from "@mui/material/ListItemIcon";
import ListItemText from "@mui/material/ListItemText";
import Tooltip from "@mui/material/Tooltip";
import NextLink from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { areaForPath, navAreas } from "@/common/areas";
import type { Role } from "@/common/roles";
import { AREA_ICONS } from "../area-icons";
import { useHydrated } from "../ui/use-hydrated";
import { useNav } from "./NavContext";
import { APP_BAR_HEIGHT, NAV_WIDTH, NAV_WIDTH_COLLAPSED } from "./nav-state";
import { visuallyHidden } from "../ui/visually-hidden";

/** Id of the narrow screens' navigation drawer (the menu button controls it). */
export const MOBILE_NAV_ID = "console-navigation-drawer";

interface NavEntry {
  key: string;
  href: string;
  label: string;
  icon: ReactNode;
}

/** Home, the areas the roles may use (the home tiles' rules, `navAreas`), and the API page. */
export function navEntries(roles: readonly Role[]): NavEntry[] {
  return [
    { key: "home", href: "/", label: "Home", icon: <HomeOutlinedIcon /> },
    ...navAreas(roles).map((area) => ({
      key: area.key,
      href: area.href,
      label: area.title,
      icon: AREA_ICONS[area.key],
    })),
    { key: "api-access", href: "/api-access", label: "Use the API", icon: <CodeOutlinedIcon /> },
  ];
}

function currentEntry(pathname: string): string | undefined {
  if (pathname === "/") return "home";
  if (pathname === "/api-access" || pathname.startsWith("/api-access/")) return "api-access";
  return areaForPath(pathname);
}

function NavList({
  entries,
  current,
  collapsed,
  onNavigate,
}: {
  entries: NavEntry[];
  current: string | undefined;
  collapsed: boolean;
  onNavigate?: () => void;
}) {
  return (
    <List sx={{ py: 1 }}>
      {entries.map((entry, index) => {
        const active = entry.key === current;
        const button = (
          <ListItemButton
            component={NextLink}
            href={entry.href}
            selected={active}
            aria-current={active ? "page" : undefined}
            onClick={onNavigate}
            data-testid={`nav-${entry.key}`}
            sx={{
              minHeight: 44,
              mx: 1,
              borderRadius: 2,
              px: collapsed ? 1.25 : 1.5,
              justifyContent: collapsed ? "center" : "flex-start",
              "&.Mui-selected": { color: "primary.main", fontWeight: 500 },
              "&.Mui-selected .MuiListItemIcon-root": { color: "primary.main" },
            }}
          >
            <ListItemIcon sx={{ minWidth: collapsed ? 0 : 40, justifyContent: "center" }}>
              {entry.icon}
            </ListItemIcon>
            <ListItemText
              primary={entry.label}
              sx={collapsed ? visuallyHidden : undefined}
              slotProps={{ primary: { noWrap: true, sx: { fontWeight: active ? 500 : 400 } } }}
            />
          </ListItemButton>
        );
        return (
          <ListItem key={entry.key} disablePadding sx={{ display: "block" }}>
            {index === entries.length - 1 && <Divider sx={{ my: 1 }} />}
            {collapsed ? (
              <Tooltip title={entry.label} placement="right">
                {button}
              </Tooltip>
            ) : (
              button
            )}
          </ListItem>
        );
      })}
    </List>
  );
}

/**
 * The console's side navigation: on wide screens a permanent drawer under
 * the app bar that collapses to an icon rail (remembered in a cookie); on
 * narrow ones a temporary drawer behind the app bar's menu button. The
 * current area is highlighted (`aria-current="page"`).
 */
export function SideNav({ roles }: { roles: readonly Role[] }) {
  const pathname = usePathname();
  const nav = useNav();
  const hydrated = useHydrated();
  const { collapsed, mobileOpen } = nav;
  const entries = navEntries(roles);
  const current = currentEntry(pathname);
  const width = collapsed ? NAV_WIDTH_COLLAPSED : NAV_WIDTH;

  return (
    <>
      <Drawer
        variant="permanent"
        data-testid="side-nav"
        data-state={collapsed ? "collapsed" : "expanded"}
        sx={{
          display: { xs: "none", md: "block" },
          width,
          flexShrink: 0,
          transition: "width .15s",
        }}
        slotProps={{
          paper: {
            sx: {
              position: "sticky",
              top: APP_BAR_HEIGHT,
              height: `calc(100vh - ${APP_BAR_HEIGHT}px)`,
              width,
              overflowX: "hidden",
              transition: "width .15s",
              bgcolor: "background.paper",
              borderRight: 1,
              borderColor: "divider",
            },
          },
        }}
      >
        <Box component="nav" aria-label="Console navigation" sx={{ flexGrow: 1 }}>
          <NavList entries={entries} current={current} collapsed={collapsed} />
        </Box>
        <Divider />
        <Box sx={{ display: "flex", justifyContent: collapsed ? "center" : "flex-end", p: 1 }}>
          <Tooltip
            title={hydrated ? (collapsed ? "Expand navigation" : "Collapse navigation") : ""}
            placement="right"
          >
            <IconButton
              onClick={() => nav.toggleCollapsed()}
              disabled={!hydrated}
              aria-label={collapsed ? "Expand navigation" : "Collapse navigation"}
              aria-expanded={!collapsed}
              data-testid="nav-collapse"
            >
              {collapsed ? <ChevronRightIcon /> : <ChevronLeftIcon />}
            </IconButton>
          </Tooltip>
        </Box>
      </Drawer>
      <Drawer
        variant="temporary"
        id={MOBILE_NAV_ID}
        open={mobileOpen}
        onClose={() => nav.setMobileOpen(false)}
        sx={{ display: { xs: "block", md: "none" } }}
        slotProps={{ paper: { sx: { width: NAV_WIDTH + 40 } } }}
      >
        <Box component="nav" aria-label="Console navigation">
          <NavList
            entries={entries}
            current={current}
            collapsed={false}
            onNavigate={() => nav.setMobileOpen(false)}
          />
        </Box>
      </Drawer>
    </>
  );
}
