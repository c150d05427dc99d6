-- MOCA ledger in units (issue 14): accounts with balances, double-entry
-- transactions (from → to, amount > 0) hash-chained from genesis, and the
-- record of each verification. The millitoken `ledger_entries` are moved here
-- by re-hashing from genesis (see src/server/accounting/README.md): 1
-- millitoken = 10^5 units, each converted transaction keeps the legacy
-- sequence, hash and amount in its inputs, and the old table is dropped.

-- The canonical bytes a ledger hash covers: every field as "<UTF-8 byte
-- length>:<text>" in a fixed order, the inputs as their keys in byte order,
-- each key and value length-prefixed. src/server/accounting/canonical.ts
-- builds the same bytes; ledger.int.test.ts checks the two agree.
CREATE FUNCTION "nemo_ledger_field"(value TEXT) RETURNS TEXT
  LANGUAGE sql IMMUTABLE STRICT
  AS $$ SELECT octet_length(value)::text || ':' || value $$;

CREATE FUNCTION "nemo_ledger_inputs"(inputs JSONB) RETURNS TEXT
  LANGUAGE sql IMMUTABLE STRICT
  AS $$
    SELECT coalesce(string_agg("nemo_ledger_field"(key) || "nemo_ledger_field"(value), '' ORDER BY key COLLATE "C"), '')
    FROM jsonb_each_text(inputs)
  $$;

CREATE FUNCTION "nemo_ledger_time"(at TIMESTAMPTZ) RETURNS TEXT
  LANGUAGE sql IMMUTABLE
  AS $$ SELECT coalesce(to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '') $$;

CREATE FUNCTION "nemo_ledger_hash"(
  sequence BIGINT, from_account TEXT, to_account TEXT, amount BIGINT, rule TEXT,
  period_start TIMESTAMPTZ, reference TEXT, inputs JSONB, created_at TIMESTAMPTZ, prev_hash TEXT
) RETURNS TEXT
  LANGUAGE sql IMMUTABLE
  AS $$
    SELECT encode(sha256(convert_to(
      "nemo_ledger_field"('nemo-ledger/v1')
      || "nemo_ledger_field"(sequence::text)
      || "nemo_ledger_field"(from_account)
      || "nemo_ledger_field"(to_account)
      || "nemo_ledger_field"(amount::text)
      || "nemo_ledger_field"(rule)
      || "nemo_ledger_field"("nemo_ledger_time"(period_start))
      || "nemo_ledger_field"(reference)
      || "nemo_ledger_field"("nemo_ledger_inputs"(inputs))
      || "nemo_ledger_field"("nemo_ledger_time"(created_at))
      || "nemo_ledger_field"(prev_hash),
      'UTF8')), 'hex')
  $$;

-- The old account kinds described people (provider roles); accounts are now
-- the continuum's parties themselves.
ALTER TYPE "LedgerAccountKind" RENAME TO "LedgerAccountKind_legacy";
CREATE TYPE "LedgerAccountKind" AS ENUM ('CLUSTER', 'WORKLOAD', 'USER', 'PLATFORM');

CREATE TABLE "ledger_accounts" (
    "id" TEXT NOT NULL,
    "kind" "LedgerAccountKind" NOT NULL,
    "owner_user_id" UUID,
    "display_name" TEXT NOT NULL,
    "balance" BIGINT NOT NULL DEFAULT 0,
    "registered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ledger_accounts_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ledger_accounts_owner_user_id_idx" ON "ledger_accounts"("owner_user_id");
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_owner_user_id_fkey" FOREIGN KEY ("owner_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "ledger_transactions" (
    "sequence" BIGINT NOT NULL,
    "from_account" TEXT NOT NULL,
    "to_account" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "rule" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3),
    "reference" TEXT NOT NULL,
    "inputs" JSONB NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "ledger_transactions_pkey" PRIMARY KEY ("sequence"),
    CONSTRAINT "ledger_transactions_amount_positive" CHECK ("amount" > 0),
    CONSTRAINT "ledger_transactions_distinct_accounts" CHECK ("from_account" <> "to_account")
);
CREATE UNIQUE INDEX "ledger_transactions_reference_key" ON "ledger_transactions"("reference");
CREATE UNIQUE INDEX "ledger_transactions_hash_key" ON "ledger_transactions"("hash");
CREATE INDEX "ledger_transactions_from_account_sequence_idx" ON "ledger_transactions"("from_account", "sequence");
CREATE INDEX "ledger_transactions_to_account_sequence_idx" ON "ledger_transactions"("to_account", "sequence");
CREATE INDEX "ledger_transactions_rule_sequence_idx" ON "ledger_transactions"("rule", "sequence");
ALTER TABLE "ledger_transactions" ADD CONSTRAINT "ledger_transactions_from_account_fkey" FOREIGN KEY ("from_account") REFERENCES "ledger_accounts"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;
ALTER TABLE "ledger_transactions" ADD CONSTRAINT "ledger_transactions_to_account_fkey" FOREIGN KEY ("to_account") REFERENCES "ledger_accounts"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- Append-only at the database: no code path can rewrite history.
CREATE TRIGGER "ledger_transactions_append_only" BEFORE UPDATE OR DELETE ON "ledger_transactions" FOR EACH ROW EXECUTE FUNCTION "nemo_refuse_change"();
CREATE TRIGGER "ledger_transactions_no_truncate" BEFORE TRUNCATE ON "ledger_transactions" FOR EACH STATEMENT EXECUTE FUNCTION "nemo_refuse_change"();

CREATE TABLE "ledger_verifications" (
    "id" BIGSERIAL NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "checked" BIGINT NOT NULL,
    "last_sequence" BIGINT NOT NULL,
    "first_mismatch" JSONB,
    "verified_at" TIMESTAMPTZ(3) NOT NULL,
    "verified_by" TEXT NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    CONSTRAINT "ledger_verifications_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ledger_verifications_verified_at_idx" ON "ledger_verifications"("verified_at" DESC);

-- The platform issues every reward: its balance is minus what it issued.
INSERT INTO "ledger_accounts" ("id", "kind", "display_name") VALUES ('platform', 'PLATFORM', 'Platform');

-- Accounts of the legacy entries: a registration reward belongs to its
-- cluster (when the cluster still exists), anything else to the user it named.
CREATE TEMPORARY TABLE "ledger_conversion" ON COMMIT DROP AS
SELECT
  e.*,
  CASE
    WHEN e.kind = 'cluster-registration-reward' AND c.id IS NOT NULL THEN 'cluster:' || c.id::text
    ELSE 'user:' || e.account_id
  END AS account,
  c.id AS cluster_id,
  c.name AS cluster_name,
  c.owner_id AS cluster_owner
FROM "ledger_entries" e
LEFT JOIN "clusters" c
  ON e.reference ~ '^cluster:[0-9a-fA-F-]{36}$' AND c.id = substring(e.reference FROM 9)::uuid;

INSERT INTO "ledger_accounts" ("id", "kind", "owner_user_id", "display_name", "registered_at")
SELECT DISTINCT ON (account)
  account,
  CASE WHEN cluster_id IS NOT NULL THEN 'CLUSTER'::"LedgerAccountKind" ELSE 'USER'::"LedgerAccountKind" END,
  CASE
    WHEN cluster_id IS NOT NULL THEN cluster_owner
    ELSE (SELECT u.id FROM "users" u WHERE account_id ~ '^[0-9a-fA-F-]{36}$' AND u.id = account_id::uuid)
  END,
  coalesce(cluster_name, account_id),
  created_at
FROM "ledger_conversion"
ORDER BY account, sequence;

-- Re-hash from genesis, in the legacy order.
DO $$
DECLARE
  e RECORD;
  prev TEXT := repeat('0', 64);
  seq BIGINT := 0;
  tx_from TEXT;
  tx_to TEXT;
  tx_amount BIGINT;
  tx_rule TEXT;
  tx_reference TEXT;
  tx_inputs JSONB;
  tx_hash TEXT;
BEGIN
  FOR e IN SELECT * FROM "ledger_conversion" ORDER BY sequence LOOP
    -- A zero entry moved nothing and a transaction moves a positive amount.
    CONTINUE WHEN e.amount_milli = 0;
    seq := seq + 1;
    -- 1 millitoken = 10^-3 token = 10^5 units; a debit (< 0) flows to the platform.
    tx_amount := abs(e.amount_milli) * 100000;
    IF e.amount_milli > 0 THEN
      tx_from := 'platform'; tx_to := e.account;
    ELSE
      tx_from := e.account; tx_to := 'platform';
    END IF;
    IF e.cluster_id IS NOT NULL THEN
      tx_rule := 'registration';
      tx_reference := 'registration:cluster:' || e.cluster_id::text;
    ELSE
      tx_rule := 'conversion';
      tx_reference := 'legacy:' || e.sequence::text;
    END IF;
    -- A reward the legacy code credited twice (no lock around its check) stays, as a conversion.
    IF EXISTS (SELECT 1 FROM "ledger_transactions" WHERE "reference" = tx_reference) THEN
      tx_rule := 'conversion';
      tx_reference := 'legacy:' || e.sequence::text;
    END IF;
    tx_inputs := jsonb_strip_nulls(jsonb_build_object(
      'legacySequence', e.sequence::text,
      'legacyHash', e.hash,
      'legacyKind', e.kind,
      'legacyAccount', e.account_id,
      'legacyAmountMilli', e.amount_milli::text,
      'legacyReference', e.reference,
      'legacyDetail', e.detail::text,
      'unitsPerMillitoken', '100000'
    ));
    tx_hash := "nemo_ledger_hash"(seq, tx_from, tx_to, tx_amount, tx_rule, NULL, tx_reference, tx_inputs, e.created_at, prev);
    INSERT INTO "ledger_transactions" ("sequence", "from_account", "to_account", "amount", "rule", "period_start", "reference", "inputs", "prev_hash", "hash", "created_at")
    VALUES (seq, tx_from, tx_to, tx_amount, tx_rule, NULL, tx_reference, tx_inputs, prev, tx_hash, e.created_at);
    prev := tx_hash;
  END LOOP;
END $$;

UPDATE "ledger_accounts" a
SET "balance" = coalesce((SELECT sum(t.amount) FROM "ledger_transactions" t WHERE t.to_account = a.id), 0)
              - coalesce((SELECT sum(t.amount) FROM "ledger_transactions" t WHERE t.from_account = a.id), 0);

DROP TABLE "ledger_conversion";
DROP TABLE "ledger_entries";
DROP TYPE "LedgerAccountKind_legacy";
