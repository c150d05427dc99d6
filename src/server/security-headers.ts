/**
 * The pages' Content-Security-Policy, with a per-response nonce (set by
 * src/proxy.ts). The headers every response carries, and the fixed policies
 * of the API and its docs page, are in next.config.ts `headers()`: API
 * requests do not pass through the proxy, which would buffer their bodies.
 *
 * - Scripts: our own files and inline scripts carrying this response's nonce
 *   (Next.js reads the nonce from the request's CSP header and puts it on its
 *   inline bootstrap scripts).
 * - Styles: 'unsafe-inline'. MUI's emotion inserts <style> tags at runtime and
 *   the server-rendered HTML has style attributes, which a nonce cannot cover
 *   (a nonce in style-src would also switch 'unsafe-inline' off). Injected CSS
 *   cannot run code; scripts, the real risk, stay nonce-only.
 */

/** `next dev` needs eval (React's dev tooling) and a websocket for hot reload. */
export function contentSecurityPolicy(nonce: string, development = false): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": ["'self'", `'nonce-${nonce}'`, ...(development ? ["'unsafe-eval'"] : [])],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'", ...(development ? ["ws:"] : [])],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join("; ");
}

/** What src/proxy.ts adds to a page: the CSP with this response's nonce. */
export function pageSecurityHeaders(nonce: string, development = false): Record<string, string> {
  return { "content-security-policy": contentSecurityPolicy(nonce, development) };
}

/** A fresh nonce per response (128 bits, base64). */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}
