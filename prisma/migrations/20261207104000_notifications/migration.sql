-- The in-app notification centre (issue 13): one row per recipient and event,
-- written in the same transaction as the state change it tells about (see
-- src/server/notifications/README.md). `source_key` names that event
-- ("lifecycle:<event id>", "intent-violated:<intent>:<evaluation time>",
-- "cluster-error:<cluster>:<operation>"); unique per user, so a replayed or
-- repeated write of one event never notifies anyone twice.
CREATE TABLE "notifications" (
    "id" BIGSERIAL NOT NULL,
    "user_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "subject_type" TEXT NOT NULL,
    "subject_id" UUID NOT NULL,
    "link" TEXT NOT NULL,
    "source_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "read_at" TIMESTAMPTZ(3),

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "notifications_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE UNIQUE INDEX "notifications_user_id_source_key_key" ON "notifications"("user_id", "source_key");
-- A user's page, newest first ("show older" continues below an id).
CREATE INDEX "notifications_user_id_id_idx" ON "notifications"("user_id", "id" DESC);
-- The retention's cut.
CREATE INDEX "notifications_created_at_idx" ON "notifications"("created_at");
-- The bell's unread count, polled by every open console: only unread rows are in it.
CREATE INDEX "notifications_unread_idx" ON "notifications"("user_id") WHERE "read_at" IS NULL;
