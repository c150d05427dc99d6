import Box from "@mui/material/Box";
import Paper from "@mui/material/Paper";
import type { ReactNode } from "react";
import { BrandMark } from "./BrandMark";

/** Full-page frame for the pages outside the console (sign-in, no access, 404). */
export function CenteredCard({ children, maxWidth = 460 }: { children: ReactNode; maxWidth?: number }) {
  return (
    <Box
      component="main"
      sx={{
        minHeight: "100vh",
        display: "grid",
        placeItems: "center",
        p: 2,
        background: "radial-gradient(1200px 600px at 20% 0%, #16406b 0%, #0d1b2a 60%) fixed",
      }}
    >
      <Box sx={{ width: "100%", maxWidth }}>
        <Box sx={{ display: "flex", justifyContent: "center", mb: 3 }}>
          <BrandMark inverse size={34} />
        </Box>
        <Paper elevation={8} sx={{ p: { xs: 3, sm: 5 }, borderRadius: 3 }}>
          {children}
        </Paper>
      </Box>
    </Box>
  );
}
