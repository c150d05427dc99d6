import { TRPCError } from "@trpc/server";
import { expect } from "vitest";
import { DomainError } from "@/server/errors";

/** The TRPCError a call is rejected with; the test fails if it resolves or throws something else. */
export async function trpcRejection(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

/** The DomainError a domain call is rejected with; the test fails if it resolves or throws something else. */
export async function domainRejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}
