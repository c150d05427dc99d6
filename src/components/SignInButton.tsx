"use client";

import KeyOutlinedIcon from "@mui/icons-material/KeyOutlined";
import Button from "@mui/material/Button";
import CircularProgress from "@mui/material/CircularProgress";
import { signIn } from "next-auth/react";
import { useState } from "react";

export function SignInButton({ callbackUrl }: { callbackUrl: string }) {
  const [busy, setBusy] = useState(false);
  return (
    <Button
      variant="contained"
      size="large"
      fullWidth
      startIcon={busy ? <CircularProgress size={18} color="inherit" /> : <KeyOutlinedIcon />}
      onClick={() => {
        setBusy(true);
        void signIn("keycloak", { callbackUrl });
      }}
      disabled={busy}
      sx={{ py: 1.25 }}
    >
      Sign in with Keycloak
    </Button>
  );
}
