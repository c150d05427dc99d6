import { ApiException } from "@kubernetes/client-node";
import { z } from "zod";
import { ClusterDriverError, type ClusterErrorType, sanitizeDetail } from "../errors";
import { RequestTimeoutError, ResponseTooLargeError } from "./transport";

/**
 * Turns what the client throws (an `ApiException` carrying the API server's
 * `Status`, a socket error, a transport timeout) into a typed
 * `ClusterDriverError` whose message names the cluster and the operation.
 * Callers branch on the type; the message is for people: a fixed sentence
 * per error type plus a short sanitised detail (`sanitizeDetail`), never a
 * response body or a library's error text as it came, since these messages
 * become cluster status reasons other users read.
 */

/** The `metav1.Status` body the API server sends with every error. */
export const apiStatusSchema = z.looseObject({
  message: z.string().optional(),
  reason: z.string().optional(),
  code: z.number().optional(),
  details: z
    .looseObject({
      causes: z
        .array(z.looseObject({ field: z.string().optional(), message: z.string().optional() }))
        .optional(),
    })
    .nullable()
    .optional(),
});
export type ApiStatus = z.infer<typeof apiStatusSchema>;

export interface OperationContext {
  cluster: string;
  /** What was being done, as a phrase: "listing nodes", "applying Deployment/web in shop". */
  operation: string;
  /** What a 400/422 means here: a bad manifest when applying, a bad argument otherwise. */
  invalid?: "INVALID_MANIFEST" | "INVALID_ARGUMENT";
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** The client keeps the raw body text on an ApiException; the Status in it is what the server said. */
export function apiStatusOf(error: ApiException<unknown>): ApiStatus {
  let body: unknown = error.body;
  if (typeof body === "string") {
    const text = body;
    try {
      body = JSON.parse(text);
    } catch {
      // A proxy's HTML error page or whatever else answered: not a Status, and never repeated.
      return {};
    }
  }
  const parsed = apiStatusSchema.safeParse(body);
  return parsed.success ? parsed.data : {};
}

export function isApiError(error: unknown, code: number): error is ApiException<unknown> {
  return error instanceof ApiException && error.code === code;
}

/** Socket-level failures that mean "nothing answered there": worth retrying later. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "EPIPE",
  "ECONNABORTED",
]);

/** TLS failures: the kubeconfig's CA or server name does not match the server, which a retry cannot fix. */
const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function errorCode(error: Error): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === "string" ? code : undefined;
}

/** The API server's own words, cut short and on one line; its `reason` word when it sent no message. */
function statusDetail(status: ApiStatus): string {
  const text = status.message ?? status.reason;
  return text === undefined ? "" : `: ${sanitizeDetail(text)}`;
}

function fromApiException(error: ApiException<unknown>, context: OperationContext): ClusterDriverError {
  const status = apiStatusOf(error);
  const code = error.code;
  const label = `${code} ${STATUS_TEXT[code] ?? "Error"}`;
  const detail = statusDetail(status);
  const make = (type: ClusterErrorType, sentence: string) =>
    new ClusterDriverError(type, `cluster ${context.cluster}: ${context.operation}: ${sentence}`, {
      cluster: context.cluster,
      cause: error,
    });

  if (code === 401) return make("UNAUTHORIZED", `the API server rejected the credentials (${label})`);
  if (code === 403) return make("UNAUTHORIZED", `forbidden (${label})${detail}`);
  if (code === 404) return make("NOT_FOUND", `not found (${label})${detail}`);
  if (code === 409 && status.reason === "AlreadyExists")
    return make("ALREADY_EXISTS", `already exists (${label})${detail}`);
  if (code === 400 || code === 422)
    return make(
      context.invalid ?? "INVALID_ARGUMENT",
      `the API server refused the request (${label})${detail}`,
    );
  if (code === 504 || status.reason === "Timeout" || status.reason === "ServerTimeout")
    return make("TIMEOUT", `the API server timed out (${label})${detail}`);
  // Overloaded or restarting (or an aggregated API whose backend is down): a later retry may succeed.
  if (code === 429 || code === 502 || code === 503)
    return make("UNREACHABLE", `the API server is unavailable (${label})${detail}`);
  return make("UNKNOWN", `the API server answered with an error (${label})${detail}`);
}

/** Maps any error thrown by a client call; a `ClusterDriverError` passes through unchanged. */
export function toDriverError(error: unknown, context: OperationContext): ClusterDriverError {
  if (error instanceof ClusterDriverError) return error;
  if (error instanceof ApiException) return fromApiException(error, context);
  const make = (type: ClusterErrorType, sentence: string) =>
    new ClusterDriverError(type, `cluster ${context.cluster}: ${context.operation}: ${sentence}`, {
      cluster: context.cluster,
      cause: error,
    });
  if (error instanceof RequestTimeoutError) return make("TIMEOUT", `no answer within ${error.timeoutMs} ms`);
  if (error instanceof ResponseTooLargeError)
    return make("UNKNOWN", `the API server's answer exceeded ${error.maxBytes} bytes and was not read`);
  if (error instanceof Error) {
    // Socket and TLS errors are known by their code; their text (addresses, certificate subjects) is not needed.
    const code = errorCode(error);
    const codeLabel = code !== undefined && /^[A-Z0-9_]{1,64}$/.test(code) ? code : undefined;
    if (code === "ETIMEDOUT") return make("TIMEOUT", "connection timed out (ETIMEDOUT)");
    if (codeLabel !== undefined && UNREACHABLE_CODES.has(codeLabel))
      return make("UNREACHABLE", `API server unreachable (${codeLabel})`);
    if (codeLabel !== undefined && TLS_CODES.has(codeLabel))
      return make("INVALID_CONFIG", `TLS verification of the API server failed (${codeLabel})`);
    return make(
      "UNKNOWN",
      `the request failed${codeLabel ? ` (${codeLabel})` : ""}: ${sanitizeDetail(error.message)}`,
    );
  }
  return make("UNKNOWN", "the request failed");
}

/**
 * Runs one client call and maps its failure. An abort is not a cluster
 * failure: the signal's reason is rethrown as it is, as the simulated driver does.
 */
export async function call<T>(
  context: OperationContext,
  run: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw toDriverError(error, context);
  }
}
