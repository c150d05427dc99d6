-- Why a migration started, as structured data (issue 13, bug 11): for an
-- intent-triggered one the intent, the action that woke the controller, the
-- report it reacted to and the target the source cluster no longer met (with
-- the value it offered); for "Migrate now" who asked. Null on rows written
-- before: the read side derives what it can from intent_id and the
-- REQUESTED step's actor.
ALTER TABLE "migrations" ADD COLUMN "trigger" JSONB;
