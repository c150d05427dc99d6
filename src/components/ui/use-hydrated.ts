"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * False in the server's HTML and during hydration, true once React runs the
 * component in the browser. Buttons that only work with JavaScript (Logout,
 * the navigation's and the theme's toggles) stay disabled until then, so a
 * click that comes before hydration is refused visibly instead of being lost.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
