import Box from "@mui/material/Box";
import Container from "@mui/material/Container";
import type { ReactNode } from "react";
import { ConsoleAppBar } from "@/components/ConsoleAppBar";
import { requireConsoleSession } from "./require-session";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const { user } = await requireConsoleSession();
  return (
    <Box sx={{ minHeight: "100vh", display: "flex", flexDirection: "column" }}>
      <ConsoleAppBar displayName={user.displayName} username={user.username} roles={user.roles} />
      <Container component="main" maxWidth="xl" sx={{ py: { xs: 3, md: 4 }, flexGrow: 1 }}>
        {children}
      </Container>
    </Box>
  );
}
