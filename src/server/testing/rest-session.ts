import type { SessionUser } from "@/server/auth";
import { sessionCookie } from "./session-cookie";

/** A Next route handler of `/api/v1`, called directly with the route's params. */
export type RestHandler = (
  request: Request,
  context?: { params: Promise<Record<string, string>> },
) => Promise<Response>;

/** The console's own origin in the tests' requests. */
export const CONSOLE_ORIGIN = "http://localhost:3999";

/**
 * Calls REST handlers as the console's browser does: with a signed-in
 * user's session cookie and the console's Origin, or with neither for an
 * anonymous caller (`null`).
 */
export class ConsoleSessions {
  private readonly cookies = new Map<string, string>();

  async signIn(...users: SessionUser[]): Promise<void> {
    for (const user of users)
      this.cookies.set(user.id, `next-auth.session-token=${await sessionCookie(user)}`);
  }

  call(
    handler: RestHandler,
    user: SessionUser | null,
    path: string,
    init: { method?: string; params?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers = new Headers();
    if (user) {
      headers.set("cookie", this.cookies.get(user.id) ?? "");
      headers.set("origin", CONSOLE_ORIGIN);
    }
    const request = new Request(`${CONSOLE_ORIGIN}${path}`, { method: init.method ?? "GET", headers });
    return handler(request, { params: Promise.resolve(init.params ?? {}) });
  }
}
