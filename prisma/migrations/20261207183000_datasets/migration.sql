-- Datasets (issue 14, "Data" rule): one row per uploaded file, stored in the
-- object store under `storage_key`. `reward_units` / `reward_sequence` record
-- the 10-token reward the upload earned on the ledger (0 / NULL when the same
-- file had already earned it: the ledger's reference `dataset:<sha256>:<user>`
-- is unique, so a file rewards its provider once, even after a delete).
CREATE TABLE "datasets" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "type" VARCHAR(40) NOT NULL,
    "description" VARCHAR(80) NOT NULL,
    "metadata" VARCHAR(55) NOT NULL,
    "file_name" VARCHAR(255) NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL CHECK (length("sha256") = 64),
    "storage_key" TEXT NOT NULL,
    "reward_units" BIGINT NOT NULL DEFAULT 0,
    "reward_sequence" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "datasets_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "datasets_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "datasets_size_bytes_check" CHECK ("size_bytes" >= 0),
    CONSTRAINT "datasets_reward_units_check" CHECK ("reward_units" >= 0)
);

CREATE UNIQUE INDEX "datasets_storage_key_key" ON "datasets"("storage_key");
-- A provider's list, newest first, and the per-user count limit.
CREATE INDEX "datasets_owner_id_created_at_idx" ON "datasets"("owner_id", "created_at" DESC);
CREATE INDEX "datasets_sha256_idx" ON "datasets"("sha256");
