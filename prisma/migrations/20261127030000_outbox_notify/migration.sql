-- Wake outbox relays as soon as rows commit: every statement that inserts into
-- outbox_messages sends one NOTIFY on channel "outbox_messages" (delivered at
-- commit, collapsed per transaction); relays LISTEN and keep polling as the
-- fallback. Statement-level, so a batch insert of thousands of rows (the intent
-- evaluator's) costs one notification.
CREATE OR REPLACE FUNCTION "outbox_messages_notify"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox_messages', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER "outbox_messages_notify"
AFTER INSERT ON "outbox_messages"
FOR EACH STATEMENT EXECUTE FUNCTION "outbox_messages_notify"();
