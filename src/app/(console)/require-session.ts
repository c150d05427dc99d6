import { redirect } from "next/navigation";
import { getServerAuthSession } from "@/server/auth/config";
import type { AuthSession } from "@/server/auth/session";

/**
 * Layout and page render concurrently, so each that needs the user asks for
 * it here: no session → sign-in page; no NEMO role → the No access page.
 */
export async function requireConsoleSession(): Promise<AuthSession> {
  const session = await getServerAuthSession();
  if (!session) redirect("/signin");
  if (session.user.roles.length === 0) redirect("/no-access");
  return session;
}
