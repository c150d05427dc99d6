import { z } from "zod";

/**
 * Typed driver errors. Callers branch on `type` (retry an unreachable cluster,
 * report an unauthorized kubeconfig, dead-letter an invalid manifest), never
 * on message text.
 */
export const clusterErrorTypes = [
  "UNREACHABLE",
  "UNAUTHORIZED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "INVALID_CONFIG",
  "INVALID_ARGUMENT",
  "INVALID_MANIFEST",
  "BACKUP_FAILED",
  "RESTORE_FAILED",
  "DRIVER_UNAVAILABLE",
  "TIMEOUT",
  "UNKNOWN",
] as const;

export const clusterErrorTypeSchema = z.enum(clusterErrorTypes);
export type ClusterErrorType = z.infer<typeof clusterErrorTypeSchema>;

/** The error as data, e.g. in a connect result or a per-cluster fan-out. */
export const clusterErrorSchema = z.object({
  type: clusterErrorTypeSchema,
  message: z.string(),
  cluster: z.string().optional(),
});
export type ClusterErrorData = z.infer<typeof clusterErrorSchema>;

/** Transient conditions: a retry later may succeed without anyone changing anything. */
const RETRYABLE: ReadonlySet<ClusterErrorType> = new Set([
  "UNREACHABLE",
  "TIMEOUT",
  "BACKUP_FAILED",
  "RESTORE_FAILED",
]);

export class ClusterDriverError extends Error {
  override readonly name = "ClusterDriverError";
  readonly type: ClusterErrorType;
  readonly cluster: string | undefined;

  constructor(type: ClusterErrorType, message: string, options: { cluster?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.type = type;
    this.cluster = options.cluster;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.type);
  }

  toData(): ClusterErrorData {
    return { type: this.type, message: this.message, ...(this.cluster ? { cluster: this.cluster } : {}) };
  }
}

export function isClusterDriverError(error: unknown, type?: ClusterErrorType): error is ClusterDriverError {
  return error instanceof ClusterDriverError && (type === undefined || error.type === type);
}

/** Any thrown value as error data, so a failing cluster can be reported instead of failing a fan-out. */
export function toClusterErrorData(error: unknown, cluster?: string): ClusterErrorData {
  if (error instanceof ClusterDriverError) return error.toData();
  const message = error instanceof Error ? error.message : String(error);
  return { type: "UNKNOWN", message, ...(cluster ? { cluster } : {}) };
}

/** Longest detail from elsewhere (an API server, a library, a socket) kept in an error or status reason. */
export const MAX_DETAIL_LENGTH = 160;

/**
 * A short, single-line version of text that came from outside the console
 * (an API server's message, a library's error): it ends up in status reasons
 * and logs that others read, so it must not carry a response body, a local
 * file path, a server address or a multi-line dump. Control characters become
 * spaces, URLs `<url>`, IP addresses `<address>` (a cluster's API server is
 * its owner's business: the reason reaches service providers through their
 * instances), paths `<path>`, and the result is cut to `max` characters.
 */
export function sanitizeDetail(text: string, max = MAX_DETAIL_LENGTH): string {
  const cleaned = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi, "<url>")
    .replace(/(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]+\])(?::\d{1,5})?(?![\w.])/gi, "<address>")
    .replace(/(?<=^|[\s'"(=,])(?:[A-Za-z]:)?(?:~|\.{1,2})?(?:[\\/][\w.@%+~-]+)+[\\/]?/g, "<path>")
    .replace(/\s+/g, " ")
    .trim();
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}
