"use client";

import {
  useMutation,
  useQueryClient,
  type QueryKey,
  type UseMutationOptions,
  type UseMutationResult,
} from "@tanstack/react-query";
import { useNotice, type Notice } from "./Notice";

type Message = Notice | string | undefined;

export interface ConsoleMutationFeedback<TData, TError, TVariables> {
  /** Queries the change makes stale (`trpc.x.pathKey()`, `trpc.x.list.queryKey()`), refreshed before `onSuccess`. */
  invalidates?: readonly QueryKey[];
  /** A notice when it starts (a long request). */
  started?: (variables: TVariables) => Message;
  /** A notice when it succeeded: what happened. */
  succeeded?: (data: TData, variables: TVariables) => Message;
  /**
   * A notice when it failed — for actions without a form (a row's start /
   * suspend). Forms and dialogs leave it out and show the error beside the
   * fields (`formErrors` from ./form-errors) or in the dialog.
   */
  failed?: (error: TError, variables: TVariables) => Message;
}

/**
 * Every console mutation: TanStack `useMutation` with the tRPC procedure's
 * options, plus the console's conventions in one place — refresh what it
 * changed, then the caller's `onSuccess`; report start, success or failure
 * through the one app-level notice.
 *
 *     const remove = useConsoleMutation(trpc.workload.delete.mutationOptions({ onSuccess: close }), {
 *       invalidates: [trpc.workload.pathKey()],
 *       succeeded: () => `Workload ${name} deleted.`,
 *     });
 */
export function useConsoleMutation<TData, TError, TVariables, TOnMutateResult = unknown>(
  options: UseMutationOptions<TData, TError, TVariables, TOnMutateResult>,
  feedback: ConsoleMutationFeedback<TData, TError, TVariables> = {},
): UseMutationResult<TData, TError, TVariables, TOnMutateResult> {
  const queryClient = useQueryClient();
  const notify = useNotice();
  const show = (message: Message) => {
    if (message !== undefined) notify(message);
  };
  const { invalidates = [], started, succeeded, failed } = feedback;
  return useMutation({
    ...options,
    onMutate: (variables, context) => {
      if (started) show(started(variables));
      return options.onMutate?.(variables, context) as TOnMutateResult | Promise<TOnMutateResult>;
    },
    onSuccess: async (data, variables, onMutateResult, context) => {
      await Promise.all(invalidates.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
      await options.onSuccess?.(data, variables, onMutateResult, context);
      if (succeeded) show(succeeded(data, variables));
    },
    onError: async (error, variables, onMutateResult, context) => {
      if (failed) show(failed(error, variables));
      await options.onError?.(error, variables, onMutateResult, context);
    },
  });
}
