CREATE TABLE "task_event" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"task_id" uuid NOT NULL,
	"type" text NOT NULL,
	"version" integer NOT NULL,
	"txid" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "task_event_user_id_idx" ON "task_event" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "task_event_created_at_idx" ON "task_event" USING btree ("created_at");--> statement-breakpoint
-- Live updates (decisions D33): every change to a task writes one task_event row in the changing
-- transaction, whichever path made it (a procedure, clearCompleted, the cascade of an account
-- deletion), with no extra round trip. No NOTIFY here: PostgreSQL serializes the commits of
-- transactions that NOTIFY (measured: 0.3x the create/toggle throughput at 10 concurrent writers),
-- so the server announces after commit instead (server/live/task-change-feed.ts).
-- The event type is decided in one place below. The soft delete of migration 0009 extends it:
-- an UPDATE that sets deleted_at is 'deleted', one that clears it is 'created' (a restore).
CREATE FUNCTION task_event_emit() RETURNS trigger
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
    kind := 'updated';
  ELSE
    changed := OLD;
    kind := 'deleted';
  END IF;
  -- One writer per user from here to commit, so a user's event ids are in commit order: a stream
  -- that has read id N never later meets a smaller id committed after it (which it would skip).
  -- Held only from the last statement of the transaction to its COMMIT, which follow each other
  -- in the hot path's pipeline.
  PERFORM pg_advisory_xact_lock(hashtextextended('task_event:' || changed.user_id, 0));
  INSERT INTO task_event (user_id, task_id, type, version, txid)
    VALUES (changed.user_id, changed.id, kind, changed.version, pg_current_xact_id()::text);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER task_event_emit AFTER INSERT OR UPDATE OR DELETE ON task
  FOR EACH ROW EXECUTE FUNCTION task_event_emit();
--> statement-breakpoint
-- The trigger runs as the caller: this database's RLS role (0005) inserts events and streams read
-- them as that role, so the same owner policy as task's keeps each user to their own events.
ALTER TABLE task_event ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DO $$
DECLARE
  app_role text := 'tasks_app_' || left(regexp_replace(current_database(), '[^a-z0-9_]', '_', 'g'), 36)
    || '_' || left(md5(current_database()), 16);
BEGIN
  EXECUTE format('GRANT SELECT, INSERT ON TABLE task_event TO %I', app_role);
  EXECUTE format('GRANT USAGE ON SEQUENCE task_event_id_seq TO %I', app_role);
  EXECUTE format($p$CREATE POLICY task_event_owner_only ON task_event TO %I
    USING (user_id = current_setting('app.user_id', true))
    WITH CHECK (user_id = current_setting('app.user_id', true))$p$, app_role);
END
$$;
