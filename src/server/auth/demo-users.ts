import { timingSafeEqual } from "node:crypto";
import type { RealmRole } from "@/common/roles";

/**
 * Demo accounts of the local issuer (quoted by the README). Subjects are fixed
 * UUIDs, as Keycloak's are, so the `users` row survives issuer restarts.
 * These credentials exist only in the development issuer; a real Keycloak
 * realm has its own users.
 */
export interface DemoUser {
  subject: string;
  username: string;
  password: string;
  givenName: string;
  familyName: string;
  email: string;
  realmRoles: readonly RealmRole[];
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    subject: "0b6f3a52-5c1e-4d0a-9a51-000000000001",
    username: "admin",
    password: "admin",
    givenName: "Ada",
    familyName: "Admin",
    email: "admin@nemo.example",
    realmRoles: ["nemo-admin"],
  },
  {
    subject: "0b6f3a52-5c1e-4d0a-9a51-000000000002",
    username: "infra",
    password: "infra",
    givenName: "Ingrid",
    familyName: "Infra",
    email: "infra@nemo.example",
    realmRoles: ["infrastructure-provider"],
  },
  {
    subject: "0b6f3a52-5c1e-4d0a-9a51-000000000003",
    username: "provider",
    password: "provider",
    givenName: "Sam",
    familyName: "Provider",
    email: "provider@nemo.example",
    realmRoles: ["service-provider"],
  },
  {
    subject: "0b6f3a52-5c1e-4d0a-9a51-000000000004",
    username: "provider2",
    password: "provider2",
    givenName: "Sasha",
    familyName: "Second",
    email: "provider2@nemo.example",
    realmRoles: ["service-provider"],
  },
  {
    subject: "0b6f3a52-5c1e-4d0a-9a51-000000000005",
    username: "nobody",
    password: "nobody",
    givenName: "Noah",
    familyName: "Nobody",
    email: "nobody@nemo.example",
    realmRoles: [],
  },
];

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Username (case-insensitive, like Keycloak) and password check; undefined on any mismatch. */
export function authenticateDemoUser(username: string, password: string): DemoUser | undefined {
  const user = DEMO_USERS.find((u) => u.username === username.trim().toLowerCase());
  if (!user || !sameSecret(user.password, password)) return undefined;
  return user;
}

export function demoUserBySubject(subject: string): DemoUser | undefined {
  return DEMO_USERS.find((u) => u.subject === subject);
}

/** The claims Keycloak would put in tokens and userinfo for this user. */
export function demoUserClaims(user: DemoUser): Record<string, unknown> & { sub: string } {
  return {
    sub: user.subject,
    preferred_username: user.username,
    name: `${user.givenName} ${user.familyName}`,
    given_name: user.givenName,
    family_name: user.familyName,
    email: user.email,
    email_verified: true,
    realm_access: { roles: [...user.realmRoles, "offline_access", "default-roles-nemo"] },
  };
}
