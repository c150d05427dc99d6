import "@fontsource/roboto/300.css";
import "@fontsource/roboto/400.css";
import "@fontsource/roboto/500.css";
import "@fontsource/roboto/700.css";
import InitColorSchemeScript from "@mui/material/InitColorSchemeScript";
import { AppRouterCacheProvider } from "@mui/material-nextjs/v16-appRouter";
import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { Providers } from "@/components/Providers";
import { COLOR_SCHEME_ATTRIBUTE } from "@/components/color-scheme";
import { getSession } from "@/trpc/server";

export const metadata: Metadata = {
  title: { default: "NEMO Console", template: "%s · NEMO Console" },
  description: "Multi-cluster workload lifecycle console for the IoT–Edge–Cloud continuum",
};

export const viewport: Viewport = { themeColor: "#0d1b2a" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await getSession();
  // src/proxy.ts puts this response's CSP (with its script nonce) on the request, as Next.js reads it.
  const csp = (await headers()).get("content-security-policy") ?? "";
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  return (
    // The colour-scheme script sets <html>'s class before React hydrates: no flash of the wrong theme.
    <html lang="en" suppressHydrationWarning>
      <body>
        <InitColorSchemeScript attribute={COLOR_SCHEME_ATTRIBUTE} defaultMode="system" nonce={nonce} />
        {/* Emotion styles are collected during SSR and land in <head>. */}
        <AppRouterCacheProvider options={{ key: "css" }}>
          <Providers session={session}>{children}</Providers>
        </AppRouterCacheProvider>
      </body>
    </html>
  );
}
