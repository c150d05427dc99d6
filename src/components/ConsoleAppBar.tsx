import AppBar from "@mui/material/AppBar";
import Avatar from "@mui/material/Avatar";
import Box from "@mui/material/Box";
import Chip from "@mui/material/Chip";
import Stack from "@mui/material/Stack";
import Toolbar from "@mui/material/Toolbar";
import Typography from "@mui/material/Typography";
import { ROLE_LABELS, type Role } from "@/common/roles";
import { BrandMark } from "./BrandMark";
import { ColorModeToggle } from "./ColorModeToggle";
import { TextLink } from "./links";
import { LogoutButton } from "./LogoutButton";
import { NavMenuButton } from "./nav/NavMenuButton";
import { APP_BAR_HEIGHT } from "./nav/nav-state";
import { NotificationBell } from "./NotificationBell";

function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return (
    (parts[0]?.[0] ?? "") + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? "") : "")
  ).toUpperCase();
}

/**
 * Top bar of every signed-in page: the navigation's menu button (narrow
 * screens), product, who is signed in with which roles, notifications, the
 * colour theme, Logout.
 */
export function ConsoleAppBar({
  displayName,
  username,
  roles,
}: {
  displayName: string;
  username: string;
  roles: Role[];
}) {
  return (
    <AppBar position="sticky" sx={{ bgcolor: "#0d1b2a", borderBottom: "1px solid #1c3249" }}>
      <Toolbar sx={{ gap: 2, minHeight: { xs: APP_BAR_HEIGHT } }}>
        <NavMenuButton />
        <TextLink href="/" underline="none" aria-label="NEMO Console home" sx={{ display: "flex" }}>
          <BrandMark inverse />
        </TextLink>
        <Box sx={{ flexGrow: 1 }} />
        <Stack
          direction="row"
          spacing={1}
          aria-label="Your roles"
          component="ul"
          sx={{ listStyle: "none", m: 0, p: 0, display: { xs: "none", md: "flex" } }}
        >
          {roles.map((role) => (
            <li key={role}>
              <Chip
                size="small"
                label={ROLE_LABELS[role]}
                data-testid="role-chip"
                sx={{ bgcolor: "#1c3a5a", color: "#d5e6f7", border: "1px solid #2d5781" }}
              />
            </li>
          ))}
        </Stack>
        <Stack direction="row" spacing={1.25} sx={{ alignItems: "center" }}>
          <Avatar sx={{ width: 32, height: 32, fontSize: 14, bgcolor: "#2bb3a3" }} aria-hidden="true">
            {initials(displayName)}
          </Avatar>
          <Box sx={{ display: { xs: "none", sm: "block" }, lineHeight: 1.1 }}>
            <Typography variant="body2" sx={{ fontWeight: 500 }} data-testid="user-display-name">
              {displayName}
            </Typography>
            <Typography variant="caption" sx={{ color: "#9fb3c8" }}>
              {username}
            </Typography>
          </Box>
        </Stack>
        <NotificationBell />
        <ColorModeToggle />
        <LogoutButton />
      </Toolbar>
    </AppBar>
  );
}
