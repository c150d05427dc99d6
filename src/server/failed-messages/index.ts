/**
 * Failed messages: outbox rows the relay gave up on and consumers' dead
 * letters, for admins to inspect (secrets redacted), replay or discard.
 */
export {
  discardFailedMessage,
  replayFailedMessage,
  type FailedMessageActionDeps,
  type FailedMessageActionResult,
} from "./actions";
export { failedMessageDetail, listFailedMessages, type FailedMessageDeps } from "./queries";
export { redactPayload } from "./redact";
export {
  FAILED_MESSAGE_KINDS,
  FAILED_MESSAGE_STATES,
  failedMessageActionInput,
  failedMessageIdSchema,
  failedMessageListInput,
  failedMessageListQuery,
  type FailedMessageDetail,
  type FailedMessageKind,
  type FailedMessageListInput,
  type FailedMessageRow,
  type FailedMessageStatus,
} from "./schemas";
