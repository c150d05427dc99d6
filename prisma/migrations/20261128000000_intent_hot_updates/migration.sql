-- The evaluator moves next_evaluation_at (and last_fulfilment) of every due
-- intent each cycle. With next_evaluation_at indexed, each of those updates
-- writes new entries in every index of the table; without it, and with free
-- space left in each page, PostgreSQL updates the row in place (HOT). Finding
-- the due intents is a sequential scan of one narrow table either way.
DROP INDEX "intents_admin_state_next_evaluation_at_idx";
ALTER TABLE "intents" SET (fillfactor = 70);
