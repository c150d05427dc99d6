import Box from "@mui/material/Box";
import Container from "@mui/material/Container";
import { cookies } from "next/headers";
import type { ReactNode } from "react";
import { ConsoleAppBar } from "@/components/ConsoleAppBar";
import { NavProvider } from "@/components/nav/NavContext";
import { NAV_COOKIE, navStateFrom } from "@/components/nav/nav-state";
import { SideNav } from "@/components/nav/SideNav";
import { MAIN_CONTENT_ID, SkipLink } from "@/components/SkipLink";
import { requireConsoleSession } from "./require-session";

/**
 * Every signed-in page: the skip link (first focusable element), the app bar,
 * the side navigation (collapsed state from its cookie, so the server renders
 * the right width) and the page as <main>.
 */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const { user } = await requireConsoleSession();
  const navState = navStateFrom((await cookies()).get(NAV_COOKIE)?.value);
  return (
    <NavProvider initial={navState}>
      <SkipLink />
      <Box sx={{ minHeight: "100vh", display: "flex", flexDirection: "column" }}>
        <ConsoleAppBar displayName={user.displayName} username={user.username} roles={user.roles} />
        <Box sx={{ display: "flex", flexGrow: 1, minWidth: 0 }}>
          <SideNav roles={user.roles} />
          <Container
            component="main"
            id={MAIN_CONTENT_ID}
            tabIndex={-1}
            maxWidth="xl"
            sx={{ py: { xs: 3, md: 4 }, flexGrow: 1, minWidth: 0, "&:focus": { outline: "none" } }}
          >
            {children}
          </Container>
        </Box>
      </Box>
    </NavProvider>
  );
}
