import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { requireNextAuthSecret, sessionCookieCurrent } from "@/server/auth/session-users";

/**
 * Early redirect of signed-out visitors of console pages to /signin, keeping
 * where they were going. The pages check the session again (roles included);
 * this only saves a render and remembers the callback URL.
 */
export async function proxy(request: NextRequest) {
  const token = await getToken({ req: request, secret: requireNextAuthSecret() });
  if (sessionCookieCurrent(token)) return NextResponse.next();
  const signIn = new URL("/signin", request.url);
  const target = request.nextUrl.pathname + request.nextUrl.search;
  if (target !== "/") signIn.searchParams.set("callbackUrl", target);
  return NextResponse.redirect(signIn);
}

export const config = {
  matcher: [
    "/",
    "/workloads/:path*",
    "/instances/:path*",
    "/intents/:path*",
    "/clusters/:path*",
    "/orchestration/:path*",
  ],
};
