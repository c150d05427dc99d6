import type { z } from "zod";
import type { Problem } from "@/common/problem";
import { humanErrorMap, humanZodMessage } from "@/common/human-issues";

/**
 * An expected failure of a domain function, in the domain's words. The REST
 * helper turns it into an HTTP status and `{error, message, field}`, the tRPC
 * setup into the matching error code; neither needs to know the noun.
 */
export type DomainErrorKind =
  | "invalid" // 400: the input breaks a rule (field says which)
  | "forbidden" // 403: the caller's role may not do this
  | "not_found" // 404: no such thing, or not the caller's to see
  | "conflict" // 409: clashes with the current state (duplicate, immutable)
  | "too_large" // 413: over a size limit
  | "unprocessable"; // 422: well-formed but unusable (an invalid chart)

export type { Problem, ProblemLocation } from "@/common/problem";

export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly field?: string,
    /** Extra detail a client can show (every problem of an invalid chart, for instance). */
    readonly problems?: readonly Problem[],
  ) {
    super(message);
  }
}

export const HTTP_STATUS: Record<DomainErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unprocessable: 422,
};

/** A zod failure as a DomainError naming the first bad field ("supportedIntents.1"). */
export function invalidInput(error: z.ZodError, prefix?: string): DomainError {
  const issue = error.issues[0];
  const path = issue ? issue.path.map(String).join(".") : "";
  const field = [prefix, path].filter(Boolean).join(".") || undefined;
  return new DomainError("invalid", issue ? humanZodMessage(issue) : "Invalid input.", field);
}

/** Parses with the schema or throws the DomainError naming the field. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, prefix?: string): z.output<T> {
  const parsed = schema.safeParse(value, { error: humanErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error, prefix);
  return parsed.data;
}
