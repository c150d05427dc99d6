-- When a target of the intent last changed (a target change or a replace by
-- import). The console shows "re-evaluating" while the intent's last
-- evaluation is older than this: that evaluation judged the previous value.
ALTER TABLE "intents" ADD COLUMN "targets_changed_at" TIMESTAMPTZ(3);
