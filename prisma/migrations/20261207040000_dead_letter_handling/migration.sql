-- Failed messages are surfaced to admins, who replay or discard them; the
-- bus's bookkeeping tables are pruned by retention.

-- An admin's "discard" of an outbox row that exhausted its attempts: the row
-- stays (who and when) until the retention removes it.
ALTER TYPE "OutboxStatus" ADD VALUE 'DISCARDED';
ALTER TABLE "outbox_messages"
  ADD COLUMN "discarded_at" TIMESTAMPTZ(3),
  ADD COLUMN "discarded_by" TEXT;

-- A dead letter is open until an admin replays or discards it.
CREATE TYPE "DeadLetterStatus" AS ENUM ('DEAD', 'REPLAYED', 'DISCARDED');

-- What a replay needs besides the body: the exchange the message was first
-- published to (logical name; '' for rows written before this column), its
-- AMQP type and the rest of its properties.
ALTER TABLE "dead_letters"
  ADD COLUMN "exchange" TEXT NOT NULL DEFAULT '',
  ADD COLUMN "message_type" TEXT,
  ADD COLUMN "properties" JSONB,
  ADD COLUMN "status" "DeadLetterStatus" NOT NULL DEFAULT 'DEAD',
  ADD COLUMN "resolved_at" TIMESTAMPTZ(3),
  ADD COLUMN "resolved_by" TEXT;
CREATE INDEX "dead_letters_status_created_at_idx" ON "dead_letters" ("status", "created_at");

-- Retention deletes processed-message marks by age in short batches.
CREATE INDEX "processed_messages_processed_at_idx" ON "processed_messages" ("processed_at");
