import { TRPCError } from "@trpc/server";
import { expect } from "vitest";

/** The TRPCError a call is rejected with; the test fails if it resolves or throws something else. */
export async function trpcRejection(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}
