"use client";

import Button from "@mui/material/Button";
import Snackbar from "@mui/material/Snackbar";
import { createContext, useCallback, useContext, useState, type ReactNode } from "react";

/** One message at the bottom of the screen: what just happened, or what went wrong. */
export interface Notice {
  message: string;
  /** A next step ("Upload chart"); the notice closes when it is taken. */
  action?: { label: string; onClick: () => void };
  /** How long it stays (ms); 6 s unless said. */
  autoHideMs?: number;
}

type Notify = (notice: Notice | string) => void;

const NoticeContext = createContext<Notify | null>(null);

/**
 * The console's one app-level notice (a snackbar), mounted once in the
 * providers: mutations report their outcome here (`useConsoleMutation`), and
 * a newer notice replaces the one on screen.
 */
export function NoticeProvider({ children }: { children: ReactNode }) {
  // The last notice stays while the snackbar slides out; `open` says whether it is showing.
  const [current, setCurrent] = useState<(Notice & { id: number; open: boolean }) | null>(null);
  const notify = useCallback<Notify>((notice) => {
    const next = typeof notice === "string" ? { message: notice } : notice;
    // A new id remounts the snackbar, so its timer starts again for the new message.
    setCurrent((previous) => ({ ...next, id: (previous?.id ?? 0) + 1, open: true }));
  }, []);
  const close = () => setCurrent((previous) => (previous ? { ...previous, open: false } : previous));
  return (
    <NoticeContext.Provider value={notify}>
      {children}
      <Snackbar
        key={current?.id}
        open={current?.open ?? false}
        message={current?.message}
        autoHideDuration={current?.autoHideMs ?? 6_000}
        onClose={(_, reason) => {
          // A click elsewhere on the page does not dismiss it before it was read.
          if (reason !== "clickaway") close();
        }}
        anchorOrigin={{ vertical: "bottom", horizontal: "left" }}
        action={
          current?.action ? (
            <Button
              color="inherit"
              size="small"
              onClick={() => {
                current.action?.onClick();
                close();
              }}
            >
              {current.action.label}
            </Button>
          ) : undefined
        }
      />
    </NoticeContext.Provider>
  );
}

/** Shows a notice (and replaces the one on screen). */
export function useNotice(): Notify {
  const notify = useContext(NoticeContext);
  if (!notify) throw new Error("useNotice needs the NoticeProvider (src/components/Providers.tsx).");
  return notify;
}
