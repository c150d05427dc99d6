/**
 * The side navigation's collapsed state is remembered in a cookie (not
 * localStorage) so the server renders the page with the right width: no jump
 * after hydration. Shared by the console layout (server) and the navigation
 * (client), so no "use client".
 */
export const NAV_COOKIE = "nemo-nav";

export type NavState = "expanded" | "collapsed";

export function navStateFrom(cookieValue: string | undefined): NavState {
  return cookieValue === "collapsed" ? "collapsed" : "expanded";
}

/** The cookie written on each toggle: a year, whole site, not sent cross-site. */
export function navCookie(state: NavState): string {
  return `${NAV_COOKIE}=${state}; Path=/; Max-Age=31536000; SameSite=Lax`;
}

export const NAV_WIDTH = 240;
export const NAV_WIDTH_COLLAPSED = 64;
/** Height of the console's app bar, under which the side navigation sticks. */
export const APP_BAR_HEIGHT = 60;
