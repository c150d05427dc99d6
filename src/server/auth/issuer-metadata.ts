import { z } from "zod";
import { serverEnv } from "@/server/env";

/**
 * The identity provider's discovery document, fetched lazily and cached: the
 * console is configured by KEYCLOAK_ISSUER alone, every endpoint comes from here.
 */
const metadataSchema = z.object({
  issuer: z.string(),
  jwks_uri: z.string().url(),
  userinfo_endpoint: z.string().url().optional(),
  end_session_endpoint: z.string().url().optional(),
});

export type IssuerMetadata = z.infer<typeof metadataSchema>;

const CACHE_MS = 5 * 60 * 1000;
const cache = new Map<string, { metadata: IssuerMetadata; fetchedAt: number }>();

export async function issuerMetadata(issuer: string = serverEnv().KEYCLOAK_ISSUER): Promise<IssuerMetadata> {
  const base = issuer.replace(/\/$/, "");
  const hit = cache.get(base);
  if (hit && Date.now() - hit.fetchedAt < CACHE_MS) return hit.metadata;
  const response = await fetch(`${base}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`OIDC discovery at ${base} answered ${response.status}`);
  const metadata = metadataSchema.parse(await response.json());
  cache.set(base, { metadata, fetchedAt: Date.now() });
  return metadata;
}

/**
 * RP-initiated logout URL: ends the identity provider's session too, then
 * returns to the console's sign-in page (`state` tells it to say "signed out").
 */
export function endSessionUrl(
  metadata: IssuerMetadata,
  options: { idToken?: string; clientId: string; postLogoutRedirectUri: string; state?: string },
): string | undefined {
  if (!metadata.end_session_endpoint) return undefined;
  const url = new URL(metadata.end_session_endpoint);
  if (options.idToken) url.searchParams.set("id_token_hint", options.idToken);
  url.searchParams.set("client_id", options.clientId);
  url.searchParams.set("post_logout_redirect_uri", options.postLogoutRedirectUri);
  if (options.state) url.searchParams.set("state", options.state);
  return url.toString();
}
