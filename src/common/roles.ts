import { Role } from "@/generated/prisma/enums";

export { Role };

/**
 * Keycloak realm roles (as they appear in `realm_access.roles`) and the Role
 * enum they map to. Realm roles are the contract with the identity provider;
 * any other role in the token (offline_access, uma_authorization, default-roles-*)
 * is ignored.
 */
export const REALM_ROLE_TO_ROLE = {
  "nemo-admin": Role.NEMO_ADMIN,
  "infrastructure-provider": Role.INFRASTRUCTURE_PROVIDER,
  "service-provider": Role.SERVICE_PROVIDER,
} as const satisfies Record<string, Role>;

export type RealmRole = keyof typeof REALM_ROLE_TO_ROLE;

export const ROLE_TO_REALM_ROLE: Record<Role, RealmRole> = {
  NEMO_ADMIN: "nemo-admin",
  INFRASTRUCTURE_PROVIDER: "infrastructure-provider",
  SERVICE_PROVIDER: "service-provider",
};

/** Human labels, in the order chips and explanations list them. */
export const ROLE_LABELS: Record<Role, string> = {
  NEMO_ADMIN: "NEMO admin",
  INFRASTRUCTURE_PROVIDER: "Infrastructure provider",
  SERVICE_PROVIDER: "Service provider",
};

/** What each role is for (the No access page explains them). */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  NEMO_ADMIN: "Sees everything, manages every cluster, workload and intent, and audits the ledger.",
  INFRASTRUCTURE_PROVIDER: "Registers Kubernetes clusters, watches their metrics and earns credits.",
  SERVICE_PROVIDER: "Registers workloads, creates instances, attaches intents and pays credits.",
};

export const ALL_ROLES: readonly Role[] = [
  Role.NEMO_ADMIN,
  Role.INFRASTRUCTURE_PROVIDER,
  Role.SERVICE_PROVIDER,
];

function isRealmRole(value: string): value is RealmRole {
  return Object.hasOwn(REALM_ROLE_TO_ROLE, value);
}

/** Maps realm role names to our roles; unknown names are dropped, duplicates merged, order stable. */
export function rolesFromRealmRoles(realmRoles: readonly unknown[]): Role[] {
  const found = new Set<Role>();
  for (const name of realmRoles) {
    if (typeof name === "string" && isRealmRole(name)) found.add(REALM_ROLE_TO_ROLE[name]);
  }
  return ALL_ROLES.filter((role) => found.has(role));
}

/**
 * Reads `realm_access.roles` from a decoded token or userinfo payload.
 * Returns `undefined` when the claim is absent (so a caller can fall back to
 * another source), `[]` when present but carrying no NEMO role.
 */
export function rolesFromClaims(claims: unknown): Role[] | undefined {
  if (typeof claims !== "object" || claims === null) return undefined;
  const realmAccess = (claims as { realm_access?: unknown }).realm_access;
  if (typeof realmAccess !== "object" || realmAccess === null) return undefined;
  const roles = (realmAccess as { roles?: unknown }).roles;
  if (!Array.isArray(roles)) return undefined;
  return rolesFromRealmRoles(roles);
}

/** First claim source that carries `realm_access` wins (access token, then ID token, then userinfo). */
export function rolesFromClaimSources(...sources: unknown[]): Role[] {
  for (const source of sources) {
    const roles = rolesFromClaims(source);
    if (roles !== undefined) return roles;
  }
  return [];
}

export function hasRole(roles: readonly Role[], role: Role): boolean {
  return roles.includes(role);
}

export function hasAnyRole(roles: readonly Role[], wanted: readonly Role[]): boolean {
  return wanted.some((role) => roles.includes(role));
}

/** "nemo-admin or service-provider": the realm role names a user would ask their Keycloak admin for. */
export function describeRoles(roles: readonly Role[]): string {
  const names = roles.map((role) => ROLE_TO_REALM_ROLE[role]);
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}
