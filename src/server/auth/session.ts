import type { Role } from "@/common/roles";

/**
 * The signed-in user as every layer sees it (next-auth session, tRPC context,
 * REST handlers). `id` is our `users.id`; `subject` the identity provider's `sub`.
 */
export interface SessionUser {
  id: string;
  subject: string;
  username: string;
  displayName: string;
  email: string | null;
  roles: Role[];
}

export interface AuthSession {
  user: SessionUser;
  expires: string;
}
