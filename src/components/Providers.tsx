"use client";

import CssBaseline from "@mui/material/CssBaseline";
import { ThemeProvider } from "@mui/material/styles";
import type { Session } from "next-auth";
import { SessionProvider } from "next-auth/react";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "@/trpc/react";
import { theme } from "./theme";
import { NoticeProvider } from "./ui/Notice";

/**
 * Client-side providers: theme (light / dark / system, see theme.ts), next-auth session (seeded
 * by the server), tRPC + TanStack Query, and the one app-level notice every mutation reports through.
 */
export function Providers({ session, children }: { session: Session | null; children: ReactNode }) {
  return (
    // forceThemeRerender: components reading `theme.palette` in JS (the charts) follow the scheme.
    <ThemeProvider theme={theme} defaultMode="system" forceThemeRerender>
      <CssBaseline />
      <SessionProvider session={session} refetchOnWindowFocus={false}>
        <TRPCReactProvider>
          <NoticeProvider>{children}</NoticeProvider>
        </TRPCReactProvider>
      </SessionProvider>
    </ThemeProvider>
  );
}
