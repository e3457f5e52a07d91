DROP INDEX "task_user_created_idx";--> statement-breakpoint
ALTER TABLE "task" ADD COLUMN "deleted_at" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "task_deleted_at_idx" ON "task" USING btree ("deleted_at") WHERE "task"."deleted_at" is not null;--> statement-breakpoint
CREATE INDEX "task_user_created_idx" ON "task" USING btree ("user_id","created_at","id") WHERE "task"."deleted_at" is null;--> statement-breakpoint
-- Live updates (D33) with soft delete (D34): a delete or clear completed is now an UPDATE that sets
-- deleted_at, so it is the 'deleted' event; a restore clears it and is 'created' (the task shows
-- again). Other updates of a deleted row are not a change anyone can see, and the purge's hard
-- DELETE of rows already deleted for days tells no one anything: neither writes an event.
CREATE OR REPLACE FUNCTION task_event_emit() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  changed task;
  kind text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    changed := NEW;
    kind := 'created';
  ELSIF TG_OP = 'UPDATE' THEN
    changed := NEW;
    IF OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
      kind := 'deleted';
    ELSIF OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN
      kind := 'created';
    ELSIF NEW.deleted_at IS NOT NULL THEN
      RETURN NULL;
    ELSE
      kind := 'updated';
    END IF;
  ELSE
    IF OLD.deleted_at IS NOT NULL THEN
      RETURN NULL;
    END IF;
    changed := OLD;
    kind := 'deleted';
  END IF;
  -- One writer per user from here to commit, so a user's event ids are in commit order (0008).
  PERFORM pg_advisory_xact_lock(hashtextextended('task_event:' || changed.user_id, 0));
  INSERT INTO task_event (user_id, task_id, type, version, txid)
    VALUES (changed.user_id, changed.id, kind, changed.version, pg_current_xact_id()::text);
  RETURN NULL;
END
$$;
