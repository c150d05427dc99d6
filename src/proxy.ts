import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { requireNextAuthSecret, sessionCookieCurrent } from "@/server/auth/session-users";
import { newNonce, pageSecurityHeaders } from "@/server/security-headers";

/** Console pages: signed-out visitors are sent to /signin first. */
const CONSOLE_PAGES = ["/workloads", "/instances", "/intents", "/clusters", "/orchestration"];

function isConsolePage(pathname: string): boolean {
  return pathname === "/" || CONSOLE_PAGES.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

/**
 * Pages: the Content-Security-Policy with a per-request nonce, which Next.js
 * reads from the request's CSP header for its own inline scripts (the other
 * security headers, and the API's policies, come from next.config.ts).
 *
 * Console pages: an early redirect of signed-out visitors to /signin, keeping
 * where they were going. The pages check the session again (roles included);
 * this only saves a render and remembers the callback URL.
 */
export async function proxy(request: NextRequest) {
  const headers = pageSecurityHeaders(newNonce(), process.env.NODE_ENV === "development");
  const response = (await signedOutOfConsolePage(request)) ?? forwardWithNonce(request, headers);
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

function forwardWithNonce(request: NextRequest, headers: Record<string, string>): NextResponse {
  const forwarded = new Headers(request.headers);
  forwarded.set("content-security-policy", headers["content-security-policy"] ?? "");
  return NextResponse.next({ request: { headers: forwarded } });
}

async function signedOutOfConsolePage(request: NextRequest): Promise<NextResponse | null> {
  if (!isConsolePage(request.nextUrl.pathname)) return null;
  const token = await getToken({ req: request, secret: requireNextAuthSecret() });
  if (sessionCookieCurrent(token)) return null;
  const signIn = new URL("/signin", request.url);
  const target = request.nextUrl.pathname + request.nextUrl.search;
  if (target !== "/") signIn.searchParams.set("callbackUrl", target);
  return NextResponse.redirect(signIn);
}

export const config = {
  // Pages only: API requests skip the proxy (it would buffer their bodies; next.config.ts sets
  // their headers), and so do build assets.
  matcher: ["/((?!api(?:/|$)|_next/).*)"],
};
