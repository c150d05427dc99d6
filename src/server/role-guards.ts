import { hasAnyRole, type Role } from "@/common/roles";
import { DomainError } from "./errors";

/**
 * Role guards for domain functions: each module names the roles and says, in
 * its own words, why a caller without them is refused (403). Here rather than
 * in `auth/`, whose index loads next-auth: workers and unit tests importing a
 * domain module should not pay for it.
 */

/** Anything carrying roles: a `SessionUser`, a service account's user. */
export interface RoleHolder {
  roles: readonly Role[];
}

/** Throws `forbidden` with `message` unless the user holds one of `roles`. */
export function requireAnyRole(user: RoleHolder, roles: readonly Role[], message: string): void {
  if (!hasAnyRole(user.roles, roles)) throw new DomainError("forbidden", message);
}

/** A module's guard: `const requireAdmin = roleGuard([Role.NEMO_ADMIN], "Only a NEMO admin can …")`. */
export function roleGuard(roles: readonly Role[], message: string): (user: RoleHolder) => void {
  return (user) => requireAnyRole(user, roles, message);
}
