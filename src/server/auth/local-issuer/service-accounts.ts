import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { REALM_ROLE_TO_ROLE, type RealmRole } from "@/common/roles";

/**
 * Service accounts of the local issuer: one confidential client per
 * automation that gets tokens with the OAuth2 client-credentials grant, as a
 * Keycloak client with "Service accounts roles" enabled does. The token is
 * the service account's own: `sub` is its fixed subject, `preferred_username`
 * `service-account-<client id>`, `azp` the client id and `realm_access.roles`
 * its realm roles, so the API treats it as a user of its own (its own
 * tenant) with those roles.
 */
export interface ServiceAccount {
  clientId: string;
  clientSecret: string;
  realmRoles: readonly RealmRole[];
}

/** Keycloak's user name for a client's service account. */
export function serviceAccountUsername(clientId: string): string {
  return `service-account-${clientId}`;
}

/**
 * A stable subject per client id, shaped like Keycloak's user ids (a UUID),
 * so the service account's `users` row survives issuer restarts.
 */
export function serviceAccountSubject(clientId: string): string {
  const hex = createHash("sha256").update(`nemo-service-account:${clientId}`).digest("hex");
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `5${hex.slice(13, 16)}`,
    ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16) + hex.slice(18, 20),
    hex.slice(20, 32),
  ].join("-");
}

const realmRoles = Object.keys(REALM_ROLE_TO_ROLE) as [RealmRole, ...RealmRole[]];

const fileSchema = z.object({
  clients: z
    .array(
      z.object({
        clientId: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "letters, digits, '.', '_' or '-', at most 64"),
        clientSecret: z.string().min(16, "at least 16 characters"),
        realmRoles: z.array(z.enum(realmRoles, { error: `one of ${realmRoles.join(", ")}` })),
      }),
    )
    .refine((clients) => new Set(clients.map((c) => c.clientId)).size === clients.length, {
      message: "client ids must be unique",
    }),
});

/** Parses a service-accounts file's text; the error names the file and the field. */
export function parseServiceAccounts(text: string, source: string): ServiceAccount[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || "(file)";
    throw new Error(`${source}: ${where}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data.clients;
}

/** Reads the service accounts from a file (NEMO_SERVICE_ACCOUNTS_FILE); none without one. */
export function readServiceAccounts(file: string | undefined): ServiceAccount[] {
  if (!file) return [];
  return parseServiceAccounts(readFileSync(file, "utf8"), file);
}
