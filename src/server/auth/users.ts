import type { Db } from "@/server/db";
import type { Role } from "@/common/roles";
import type { SessionUser } from "./session";

/** What we keep of an identity provider's user. */
export interface Identity {
  subject: string;
  username: string;
  displayName: string;
  email: string | null;
  roles: Role[];
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** Reads Keycloak's standard claims (ID token, access token or userinfo). */
export function identityFromClaims(claims: Record<string, unknown>, roles: Role[]): Identity {
  const subject = text(claims.sub);
  if (!subject) throw new Error("token has no subject");
  const username = text(claims.preferred_username) ?? text(claims.email) ?? subject;
  const fullName = [text(claims.given_name), text(claims.family_name)].filter(Boolean).join(" ");
  return {
    subject,
    username,
    displayName: text(claims.name) ?? (fullName || username),
    email: text(claims.email) ?? null,
    roles,
  };
}

/** Bearer calls resolve the user on every request; skip the write while nothing changed. */
const LAST_SEEN_RESOLUTION_MS = 5 * 60 * 1000;

function sameRoles(a: readonly Role[], b: readonly Role[]): boolean {
  return a.length === b.length && a.every((role) => b.includes(role));
}

/** Creates or refreshes the `users` row for an identity (keyed by subject). */
export async function syncUser(db: Db, identity: Identity, now: Date = new Date()): Promise<SessionUser> {
  const existing = await db.user.findUnique({ where: { subject: identity.subject } });
  const unchanged =
    existing &&
    existing.username === identity.username &&
    existing.displayName === identity.displayName &&
    existing.email === identity.email &&
    sameRoles(existing.roles, identity.roles) &&
    now.getTime() - existing.lastSeenAt.getTime() < LAST_SEEN_RESOLUTION_MS;
  const row = unchanged
    ? existing
    : await db.user.upsert({
        where: { subject: identity.subject },
        create: { ...identity, lastSeenAt: now },
        update: {
          username: identity.username,
          displayName: identity.displayName,
          email: identity.email,
          roles: { set: identity.roles },
          lastSeenAt: now,
        },
      });
  return sessionUserFromRow(row);
}

/** A stored user as the session carries it. */
export function sessionUserFromRow(row: {
  id: string;
  subject: string;
  username: string;
  displayName: string | null;
  email: string | null;
  roles: readonly Role[];
}): SessionUser {
  return {
    id: row.id,
    subject: row.subject,
    username: row.username,
    displayName: row.displayName ?? row.username,
    email: row.email,
    roles: [...row.roles],
  };
}
