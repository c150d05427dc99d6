import { redirect } from "next/navigation";
import type { ReactElement } from "react";
import { areaAccess, areaByKey, rolesForArea, type AreaAccess, type AreaKey } from "@/common/areas";
import { describeRoles } from "@/common/roles";
import { Forbidden } from "@/components/Forbidden";
import type { AuthSession } from "@/server/auth/session";
import { getSession } from "@/trpc/server";

/**
 * Layout and page render concurrently, so each that needs the user asks for
 * it here (read once per request): no session → sign-in page; no NEMO role →
 * the No access page.
 */
export async function requireConsoleSession(): Promise<AuthSession> {
  const session = await getSession();
  if (!session) redirect("/signin");
  if (session.user.roles.length === 0) redirect("/no-access");
  return session;
}

export type AreaGate =
  | { session: AuthSession; access: Exclude<AreaAccess, "none">; forbidden?: undefined }
  | { forbidden: ReactElement; session?: undefined; access?: undefined };

/**
 * A console page's guard: the session and the user's access to the area, or
 * the 403 view naming the roles the area needs (`need: "manage"` for pages
 * that change things, such as the create forms). The server checks again on
 * every procedure; this only spares the page a render it could not use.
 *
 *     const gate = await requireArea("clusters");
 *     if (gate.forbidden) return gate.forbidden;
 */
export async function requireArea(key: AreaKey, need: "read" | "manage" = "read"): Promise<AreaGate> {
  const session = await requireConsoleSession();
  const access = areaAccess(session.user.roles, key);
  if (access === "none" || (need === "manage" && access !== "manage")) {
    return {
      forbidden: <Forbidden area={areaByKey(key).title} neededRoles={describeRoles(rolesForArea(key))} />,
    };
  }
  return { session, access };
}
