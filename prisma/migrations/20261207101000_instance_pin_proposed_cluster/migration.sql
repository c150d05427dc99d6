-- A proposed cluster is a placement preference (a prioritizer bonus) unless
-- the user pinned the instance to it, which keeps the hard ProposedCluster
-- filter. Existing proposals become preferences, as the form's help text
-- promised.
ALTER TABLE "workload_instances" ADD COLUMN "pin_proposed_cluster" BOOLEAN NOT NULL DEFAULT false;
