import "@fontsource/roboto/300.css";
import "@fontsource/roboto/400.css";
import "@fontsource/roboto/500.css";
import "@fontsource/roboto/700.css";
import { AppRouterCacheProvider } from "@mui/material-nextjs/v16-appRouter";
import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { Providers } from "@/components/Providers";
import { getSession } from "@/trpc/server";

export const metadata: Metadata = {
  title: { default: "NEMO Console", template: "%s · NEMO Console" },
  description: "Multi-cluster workload lifecycle console for the IoT–Edge–Cloud continuum",
};

export const viewport: Viewport = { themeColor: "#0d1b2a" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await getSession();
  return (
    <html lang="en">
      <body>
        {/* Emotion styles are collected during SSR and land in <head>. */}
        <AppRouterCacheProvider options={{ key: "css" }}>
          <Providers session={session}>{children}</Providers>
        </AppRouterCacheProvider>
      </body>
    </html>
  );
}
