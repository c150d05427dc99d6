import LockOutlinedIcon from "@mui/icons-material/LockOutlined";
import Box from "@mui/material/Box";
import Paper from "@mui/material/Paper";
import Typography from "@mui/material/Typography";
import { ButtonLink } from "./links";

/** The page a role may not use: says which role it needs instead of failing. */
export function Forbidden({ area, neededRoles }: { area: string; neededRoles: string }) {
  return (
    <Paper
      variant="outlined"
      sx={{ p: { xs: 3, md: 6 }, textAlign: "center", maxWidth: 640, mx: "auto", mt: 4 }}
      role="alert"
    >
      <Box
        sx={{
          width: 64,
          height: 64,
          borderRadius: "50%",
          bgcolor: "#fdecea",
          color: "#b3261e",
          display: "grid",
          placeItems: "center",
          mx: "auto",
          mb: 2,
        }}
      >
        <LockOutlinedIcon fontSize="large" />
      </Box>
      <Typography variant="overline" color="text.secondary">
        403 · Forbidden
      </Typography>
      <Typography variant="h1" sx={{ mb: 1.5 }}>
        You don&apos;t have access to {area}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 3 }}>
        This area needs the {neededRoles} role. Ask your Keycloak administrator if you need it.
      </Typography>
      <ButtonLink href="/" variant="contained">
        Back to home
      </ButtonLink>
    </Paper>
  );
}
