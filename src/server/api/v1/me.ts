import { ROLE_TO_REALM_ROLE } from "@/server/auth/roles";
import { restHandler } from "@/server/api/rest";

/** GET /api/v1/me/ — who am I: the caller's user and roles (session cookie or bearer token). */
export const getMe = restHandler({}, async ({ user }) => ({
  id: user.id,
  subject: user.subject,
  username: user.username,
  displayName: user.displayName,
  email: user.email,
  roles: user.roles,
  realmRoles: user.roles.map((role) => ROLE_TO_REALM_ROLE[role]),
}));
