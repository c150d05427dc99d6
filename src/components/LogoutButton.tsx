"use client";

import LogoutIcon from "@mui/icons-material/Logout";
import Button, { type ButtonProps } from "@mui/material/Button";
import { signOut } from "next-auth/react";
import { useState } from "react";
import { useHydrated } from "./ui/use-hydrated";

const SIGNED_OUT = "/signin?state=signed-out";

/**
 * Federated logout: ask the server for the identity provider's end-session
 * URL (it holds the ID token), clear the console session, then let the
 * identity provider end its own session and send the browser back to /signin.
 */
export function LogoutButton({
  variant = "outlined",
  color = "inherit",
}: Pick<ButtonProps, "variant" | "color">) {
  const [busy, setBusy] = useState(false);
  const hydrated = useHydrated();

  async function logout() {
    setBusy(true);
    let target = SIGNED_OUT;
    try {
      const response = await fetch("/api/auth/federated-logout", { cache: "no-store" });
      if (response.ok) {
        const body = (await response.json()) as { url?: unknown };
        if (typeof body.url === "string") target = body.url;
      }
    } catch {
      // The console session still ends; the identity provider's may outlive it.
    }
    await signOut({ redirect: false });
    window.location.assign(target);
  }

  return (
    <Button
      variant={variant}
      color={color}
      size="small"
      startIcon={<LogoutIcon />}
      onClick={() => void logout()}
      disabled={busy || !hydrated}
      sx={{ borderColor: "rgba(255,255,255,0.4)" }}
    >
      {busy ? "Signing out…" : "Logout"}
    </Button>
  );
}
