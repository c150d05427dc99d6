-- Fencing tokens for leader-elected loops: whoever takes a loop's advisory
-- lock bumps its lease number, and the leader's writes that must not happen
-- twice check (FOR SHARE, in their transaction) that their lease is still the
-- current one, so a replica that lost leadership without noticing is refused.
CREATE TABLE "leader_leases" (
  "name" TEXT NOT NULL,
  "lease" BIGINT NOT NULL,
  "holder" TEXT NOT NULL,
  "acquired_at" TIMESTAMPTZ(3) NOT NULL,
  CONSTRAINT "leader_leases_pkey" PRIMARY KEY ("name")
);
