import { isSecretName, REDACTED, redactSecretValues } from "@/server/secrets";

/**
 * A message body as an admin may see it: every value under a secret name
 * (the secrets module's one predicate), every intent context whose attribute
 * names a secret (`{contextAttribute: "bearer_token", contextValueRange: …}`:
 * the secret is the value of a non-secret key) and every string that is a
 * bearer credential are replaced by the redaction marker.
 */
export function redactPayload(value: unknown): unknown {
  return redactSecretValues(redactContexts(value));
}

/** An `Authorization` value: "Bearer" and one token (RFC 6750 token68), nothing else (not prose that starts with the word). */
const BEARER = /^\s*bearer\s+[A-Za-z0-9\-._~+/]+=*\s*$/i;

function redactContexts(value: unknown): unknown {
  if (typeof value === "string") return BEARER.test(value) ? REDACTED : value;
  if (Array.isArray(value)) return value.map(redactContexts);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value).map(([key, inner]) => [key, redactContexts(inner)] as const);
  const record = Object.fromEntries(entries) as Record<string, unknown>;
  const attribute = record.contextAttribute;
  if (typeof attribute === "string" && isSecretName(attribute) && "contextValueRange" in record)
    record.contextValueRange = REDACTED;
  return record;
}
