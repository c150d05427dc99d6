import { z } from "zod";
import { ALL_ROLES, REALM_ROLE_TO_ROLE, ROLE_TO_REALM_ROLE } from "@/common/roles";
import { restHandler } from "@/server/api/rest";

/** The answer of GET /api/v1/me/ (documented in the OpenAPI document). */
export const meSchema = z.object({
  id: z.uuid().describe("The user's id in the console."),
  subject: z.string().describe("The identity provider's subject (`sub`)."),
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  roles: z.array(z.enum(ALL_ROLES as [string, ...string[]])),
  realmRoles: z.array(z.enum(Object.keys(REALM_ROLE_TO_ROLE) as [string, ...string[]])),
});

/** GET /api/v1/me/ — who am I: the caller's user and roles (session cookie or bearer token). */
export const getMe = restHandler({}, async ({ user }): Promise<z.infer<typeof meSchema>> => ({
  id: user.id,
  subject: user.subject,
  username: user.username,
  displayName: user.displayName,
  email: user.email,
  roles: user.roles,
  realmRoles: user.roles.map((role) => ROLE_TO_REALM_ROLE[role]),
}));
