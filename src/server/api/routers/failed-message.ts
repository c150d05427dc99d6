import { Role } from "@/common/roles";
import { createTRPCRouter, roleProcedure } from "@/server/api/trpc";
import {
  discardFailedMessage,
  failedMessageActionInput,
  failedMessageDetail,
  failedMessageListInput,
  listFailedMessages,
  replayFailedMessage,
} from "@/server/failed-messages";

export { failedMessageListInput };
export type { FailedMessageDetail, FailedMessageRow } from "@/server/failed-messages";

/**
 * Dead letters & failed messages (admin page): outbox rows that exhausted
 * their attempts and consumers' dead letters. Admins only; the domain
 * checks the role again and audits every action.
 */
const adminProcedure = roleProcedure(Role.NEMO_ADMIN);

export const failedMessageRouter = createTRPCRouter({
  /** One page, newest first by default; open items unless `state` says otherwise. */
  list: adminProcedure
    .input(failedMessageListInput)
    .query(({ ctx, input }) => listFailedMessages({ db: ctx.db, user: ctx.session.user }, input)),

  /** One item with its body (secrets redacted), properties, error and times. */
  get: adminProcedure
    .input(failedMessageActionInput)
    .query(({ ctx, input }) => failedMessageDetail({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** Sends it again (outbox row re-armed; dead letter through the outbox to its queue, same message id). */
  replay: adminProcedure
    .input(failedMessageActionInput)
    .mutation(({ ctx, input }) => replayFailedMessage({ db: ctx.db, user: ctx.session.user }, input.id)),

  /** Gives up on it: kept, marked with who and when, until the retention removes it. */
  discard: adminProcedure
    .input(failedMessageActionInput)
    .mutation(({ ctx, input }) => discardFailedMessage({ db: ctx.db, user: ctx.session.user }, input.id)),
});
