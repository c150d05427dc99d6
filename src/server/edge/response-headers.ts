/**
 * The security headers of every answer (README "Security headers"), in one
 * place for both doors that send them: next.config.ts `headers()` for what
 * Next.js serves, and the hot REST reads the web process answers before
 * Next.js (src/server/api/hot-reads.ts). Pages add their nonce CSP in
 * src/proxy.ts. No imports: next.config.ts loads this file directly.
 */

export interface HeaderRule {
  key: string;
  value: string;
}

/** On every response. */
export const EVERY_RESPONSE_HEADERS: readonly HeaderRule[] = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  // For browsers without CSP frame-ancestors.
  { key: "X-Frame-Options", value: "DENY" },
];

/** Only over https (as the TLS-terminating proxy reports it in X-Forwarded-Proto): plain http ignores HSTS anyway. */
export const HSTS_HEADER: HeaderRule = {
  key: "Strict-Transport-Security",
  value: "max-age=31536000; includeSubDomains",
};

/** JSON and files: nothing to run, nothing to embed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The offline Swagger page: its own bundle and initialiser by URL, Swagger UI's inline styles, calls to us. */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * What next.config.ts gives a JSON answer under /api/v1 (not the docs page):
 * the headers of every response, HSTS when the request came over https, the
 * API's policy.
 */
export function apiJsonHeaders(forwardedProto: string | undefined): HeaderRule[] {
  return [
    ...EVERY_RESPONSE_HEADERS,
    ...(forwardedProto === "https" ? [HSTS_HEADER] : []),
    { key: "Content-Security-Policy", value: API_CSP },
  ];
}
