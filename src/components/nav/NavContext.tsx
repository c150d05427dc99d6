"use client";

import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { navCookie, type NavState } from "./nav-state";

interface NavContextValue {
  collapsed: boolean;
  toggleCollapsed(): void;
  /** The temporary drawer of narrow screens. */
  mobileOpen: boolean;
  setMobileOpen(open: boolean): void;
}

const NavContext = createContext<NavContextValue | null>(null);

/** State shared by the side navigation and the app bar's menu button. */
export function NavProvider({ initial, children }: { initial: NavState; children: ReactNode }) {
  const [collapsed, setCollapsed] = useState(initial === "collapsed");
  const [mobileOpen, setMobileOpen] = useState(false);
  const toggleCollapsed = useCallback(() => {
    setCollapsed((was) => {
      document.cookie = navCookie(was ? "expanded" : "collapsed");
      return !was;
    });
  }, []);
  const value = useMemo(
    () => ({ collapsed, toggleCollapsed, mobileOpen, setMobileOpen }),
    [collapsed, toggleCollapsed, mobileOpen],
  );
  return <NavContext.Provider value={value}>{children}</NavContext.Provider>;
}

export function useNav(): NavContextValue {
  const value = useContext(NavContext);
  if (!value) throw new Error("useNav outside NavProvider");
  return value;
}
