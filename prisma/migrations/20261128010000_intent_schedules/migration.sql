-- The evaluator's view of every intent moves out of `intents` into two
-- narrow tables, kept in step with `intents` by the trigger below whichever
-- code writes an intent:
--
-- * intent_schedules: when the intent is next due and how it last came out.
--   The evaluator rewrites every due row each cycle (100,000 at a time); at
--   about a hundred bytes a row instead of the intent's kilobyte of body, the
--   scan that finds due intents and the rewrite cost a fraction. It only
--   writes next_evaluation_at, last_fulfilment and last_evaluated_at, and it
--   stores a result only if `revision` (bumped by every change of the
--   intent) is still the one it evaluated. last_reported_at is the time of
--   the intent's newest report, whoever wrote it (the console sorts by it).
-- * intent_targets: what the evaluator reads of an intent (instance, type,
--   each expectation's targets), read again only when the revision changes.

CREATE TABLE "intent_schedules" (
    "intent_id" UUID NOT NULL,
    "active" BOOLEAN NOT NULL,
    "valid_from" TIMESTAMPTZ(3),
    "valid_until" TIMESTAMPTZ(3),
    "observation_period_s" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "next_evaluation_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_fulfilment" "FulfilmentStatus",
    "last_evaluated_at" TIMESTAMPTZ(3),
    "last_reported_at" TIMESTAMPTZ(3),
    CONSTRAINT "intent_schedules_pkey" PRIMARY KEY ("intent_id")
) WITH (fillfactor = 50);
-- No index on next_evaluation_at on purpose: it moves every cycle, and with no
-- index on what moves and free space in each page PostgreSQL updates the row
-- in place (HOT). Finding due intents is a scan of this narrow table.
ALTER TABLE "intent_schedules" ADD CONSTRAINT "intent_schedules_intent_id_fkey"
    FOREIGN KEY ("intent_id") REFERENCES "intents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "intent_targets" (
    "intent_id" UUID NOT NULL,
    "instance_id" UUID NOT NULL,
    "intent_type" TEXT NOT NULL,
    "context_selectivity" TEXT,
    "expectation_targets" JSONB NOT NULL,
    CONSTRAINT "intent_targets_pkey" PRIMARY KEY ("intent_id")
);
ALTER TABLE "intent_targets" ADD CONSTRAINT "intent_targets_intent_id_fkey"
    FOREIGN KEY ("intent_id") REFERENCES "intents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- What the evaluator reads of a body: the selectivity, and each expectation's
-- id and targets (name, condition, value). A projection only (nothing is
-- defaulted or checked here); what it means stays in evaluation.ts.
CREATE FUNCTION "intent_expectation_targets"(body JSONB) RETURNS JSONB
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(
    'contextSelectivity', body -> 'contextSelectivity',
    'intentExpectations', coalesce((
      SELECT jsonb_agg(
               CASE WHEN jsonb_typeof(e) <> 'object' THEN e
               ELSE jsonb_build_object(
                 'expectationId', e -> 'expectationId',
                 'expectationTargets',
                 CASE WHEN jsonb_typeof(e -> 'expectationTargets') <> 'array' THEN e -> 'expectationTargets'
                 ELSE (SELECT coalesce(jsonb_agg(
                                CASE WHEN jsonb_typeof(t) <> 'object' THEN t
                                ELSE jsonb_build_object('targetName', t -> 'targetName',
                                                        'targetCondition', t -> 'targetCondition',
                                                        'targetValueRange', t -> 'targetValueRange') END
                                ORDER BY p), '[]'::jsonb)
                       FROM jsonb_array_elements(e -> 'expectationTargets') WITH ORDINALITY AS y(t, p)) END) END
               ORDER BY o)
      FROM jsonb_array_elements(
             CASE WHEN jsonb_typeof(body -> 'intentExpectations') = 'array'
                  THEN body -> 'intentExpectations' ELSE '[]'::jsonb END) WITH ORDINALITY AS x(e, o)
    ), '[]'::jsonb))
$$;

CREATE FUNCTION "intent_schedules_sync"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "intent_schedules" ("intent_id", "active", "valid_from", "valid_until", "observation_period_s")
    VALUES (NEW."id", NEW."admin_state" = 'ACTIVATED' AND NEW."deleted_at" IS NULL, NEW."valid_from",
            NEW."valid_until", NEW."observation_period_s");
    INSERT INTO "intent_targets" ("intent_id", "instance_id", "intent_type", "context_selectivity",
                                  "expectation_targets")
    VALUES (NEW."id", NEW."instance_id", NEW."intent_type", NEW."context_selectivity",
            "intent_expectation_targets"(NEW."body"));
    RETURN NULL;
  END IF;
  UPDATE "intent_schedules" SET
    "active" = NEW."admin_state" = 'ACTIVATED' AND NEW."deleted_at" IS NULL,
    "valid_from" = NEW."valid_from",
    "valid_until" = NEW."valid_until",
    "observation_period_s" = NEW."observation_period_s",
    "revision" = "revision" + 1
  WHERE "intent_id" = NEW."id";
  IF NEW."body" IS DISTINCT FROM OLD."body" OR NEW."instance_id" IS DISTINCT FROM OLD."instance_id"
     OR NEW."intent_type" IS DISTINCT FROM OLD."intent_type"
     OR NEW."context_selectivity" IS DISTINCT FROM OLD."context_selectivity" THEN
    UPDATE "intent_targets" SET
      "instance_id" = NEW."instance_id",
      "intent_type" = NEW."intent_type",
      "context_selectivity" = NEW."context_selectivity",
      "expectation_targets" = "intent_expectation_targets"(NEW."body")
    WHERE "intent_id" = NEW."id";
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "intents_schedule_sync"
AFTER INSERT OR UPDATE ON "intents"
FOR EACH ROW EXECUTE FUNCTION "intent_schedules_sync"();

INSERT INTO "intent_schedules" ("intent_id", "active", "valid_from", "valid_until", "observation_period_s",
                                "next_evaluation_at", "last_fulfilment", "last_reported_at")
SELECT "id", "admin_state" = 'ACTIVATED' AND "deleted_at" IS NULL, "valid_from", "valid_until",
       "observation_period_s", "next_evaluation_at", "last_fulfilment",
       (SELECT max(r."created_at") FROM "intent_reports" r WHERE r."intent_id" = "intents"."id")
FROM "intents";
INSERT INTO "intent_targets" ("intent_id", "instance_id", "intent_type", "context_selectivity", "expectation_targets")
SELECT "id", "instance_id", "intent_type", "context_selectivity", "intent_expectation_targets"("body")
FROM "intents";

ALTER TABLE "intents" DROP COLUMN "next_evaluation_at", DROP COLUMN "last_fulfilment";
-- Intents are not rewritten by every cycle any more.
ALTER TABLE "intents" RESET (fillfactor);

-- Reports are history, written 100,000 at a time by the evaluator, which only
-- ever writes them for schedules it has just updated (so for intents that
-- exist). A foreign key would check and lock an intent once per report,
-- doubling the cost of the write; what it gave besides, removing an intent's
-- reports with it, the trigger below does. The per-target results are kept as
-- the JSON text they were written as (read back whole, never queried inside),
-- which PostgreSQL stores without converting.
ALTER TABLE "intent_reports" DROP CONSTRAINT "intent_reports_intent_id_fkey";
ALTER TABLE "intent_reports" ALTER COLUMN "target_results" SET DATA TYPE JSON;

CREATE FUNCTION "intent_reports_delete_with_intent"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "intent_reports" WHERE "intent_id" = OLD."id";
  RETURN NULL;
END
$$;

CREATE TRIGGER "intents_delete_reports"
AFTER DELETE ON "intents"
FOR EACH ROW EXECUTE FUNCTION "intent_reports_delete_with_intent"();
