/**
 * REST Intent-Based API, failed messages (/api/v1/failed-message/): the
 * admin page's list, detail, Replay and Discard. Thin: the same domain
 * functions as the tRPC failedMessage router; admins only (403 for every
 * other role), an unknown id 404, an item already replayed or discarded 409,
 * a body that cannot be replayed 422.
 */
import { restHandler } from "@/server/api/rest";
import { Role } from "@/common/roles";
import {
  discardFailedMessage,
  failedMessageDetail,
  failedMessageListQuery,
  listFailedMessages,
  replayFailedMessage,
} from "@/server/failed-messages";

const roles = [Role.NEMO_ADMIN];

/** GET /api/v1/failed-message/ — one page, newest first by default, open items unless `state` says otherwise. */
export const listFailedMessagesRest = restHandler(
  { roles, query: failedMessageListQuery },
  ({ db, user, query }) => listFailedMessages({ db, user }, query),
);

/** GET /api/v1/failed-message/{id}/ — one item, body with secrets redacted. */
export const failedMessageRest = restHandler({ roles }, ({ db, user, params }) =>
  failedMessageDetail({ db, user }, params.id ?? ""),
);

/** POST /api/v1/failed-message/{id}/replay/ — send it again (audited). */
export const replayFailedMessageRest = restHandler({ roles }, ({ db, user, params }) =>
  replayFailedMessage({ db, user }, params.id ?? ""),
);

/** POST /api/v1/failed-message/{id}/discard/ — give up on it, kept with who and when (audited). */
export const discardFailedMessageRest = restHandler({ roles }, ({ db, user, params }) =>
  discardFailedMessage({ db, user }, params.id ?? ""),
);
