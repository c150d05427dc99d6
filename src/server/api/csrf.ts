/**
 * Cross-site request forgery: a browser attaches the session cookie to any
 * request another site makes it send. A cookie-authenticated mutation is
 * accepted only when it (1) carries a content type a cross-site HTML form
 * cannot produce without a CORS preflight (JSON or YAML; multipart for
 * uploads, which a form can send, so the second check is what stops those) and
 * (2) comes from our own origin (`Sec-Fetch-Site: same-origin`, or an
 * `Origin` equal to ours). Bearer-token calls carry no ambient credential
 * and are not checked.
 */

const MUTATIONS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/**
 * JSON, multipart for uploads, and the YAML types the intent import takes: none but multipart is
 * a type a cross-site form can send (those are text/plain, urlencoded and multipart).
 */
const ACCEPTED_TYPES = [
  "application/json",
  "multipart/form-data",
  "application/yaml",
  "application/x-yaml",
  "text/yaml",
  "text/x-yaml",
];

export interface CsrfRefusal {
  status: 403 | 415;
  code: "forbidden" | "unsupported_media_type";
  message: string;
}

export interface CsrfOptions {
  /** Origins besides the request's own (the public URL behind a TLS-terminating proxy: NEXTAUTH_URL). */
  trustedOrigins?: readonly string[];
}

/**
 * What these checks read of a request: a Fetch `Request`, or the view of a
 * Node request the hot reads are served from (node-route.ts).
 */
export interface RequestView {
  readonly method: string;
  readonly url: string;
  readonly headers: Pick<Headers, "get" | "has">;
}

export function isMutation(method: string): boolean {
  return MUTATIONS.has(method.toUpperCase());
}

/**
 * Whether the request carries a body, from its framing headers (HTTP/1.1: a
 * body comes with Content-Length or Transfer-Encoding). Not from
 * `request.body`: the server hands route handlers a body stream for every
 * DELETE, even an empty one.
 */
export function hasBody(request: Pick<RequestView, "headers">): boolean {
  const length = request.headers.get("content-length");
  if (length !== null) return length !== "0";
  return request.headers.has("transfer-encoding");
}

export function mediaType(request: Pick<RequestView, "headers">): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** The origins this request counts as same-origin with: its own URL's and the configured ones. */
function ownOrigins(request: RequestView, options: CsrfOptions): Set<string> {
  const origins = new Set<string>();
  const own = originOf(request.url);
  if (own) origins.add(own);
  // Behind a proxy the handler sees the upstream URL; the browser's Host header still names us.
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  if (host && own) {
    const proto = request.headers.get("x-forwarded-proto") ?? new URL(own).protocol.replace(":", "");
    const forwarded = originOf(`${proto}://${host}`);
    if (forwarded) origins.add(forwarded);
  }
  for (const trusted of options.trustedOrigins ?? []) {
    const origin = originOf(trusted);
    if (origin) origins.add(origin);
  }
  return origins;
}

/**
 * Why a cookie-authenticated request must be refused, or null when it may
 * proceed (reads always may). Call only for cookie sessions.
 */
export function csrfRefusal(request: RequestView, options: CsrfOptions = {}): CsrfRefusal | null {
  if (!isMutation(request.method)) return null;

  // A body-less action (DELETE, dry-run) has no content type to check; the origin check still applies.
  if (hasBody(request) && !ACCEPTED_TYPES.includes(mediaType(request))) {
    return {
      status: 415,
      code: "unsupported_media_type",
      message:
        "A signed-in browser session may change data only with Content-Type: application/json " +
        "(or multipart/form-data for uploads, application/yaml for intents).",
    };
  }

  const site = request.headers.get("sec-fetch-site");
  if (site === "same-origin") return null;
  if (site !== null) {
    return {
      status: 403,
      code: "forbidden",
      message: `Cross-site request refused (Sec-Fetch-Site: ${site}): the session cookie works only from the console itself.`,
    };
  }
  const origin = request.headers.get("origin");
  if (origin === null) {
    return {
      status: 403,
      code: "forbidden",
      message:
        "A request with the session cookie must come from the console (an Origin or Sec-Fetch-Site header); " +
        "API clients send 'Authorization: Bearer <token>'.",
    };
  }
  if (!ownOrigins(request, options).has(originOf(origin) ?? origin)) {
    return {
      status: 403,
      code: "forbidden",
      message: `Cross-origin request refused (Origin: ${origin}): the session cookie works only from the console itself.`,
    };
  }
  return null;
}
