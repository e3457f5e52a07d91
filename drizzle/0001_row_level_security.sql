-- Defense in depth: even a query that forgot its owner filter sees only the caller's tasks.
-- The app runs every task statement as the NOLOGIN role tasks_app, in a transaction that sets
-- app.user_id (see server/db/task-queries.ts). Roles are cluster-wide, hence the guard.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tasks_app') THEN
    CREATE ROLE tasks_app NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- another database's migration created it at the same moment
END
$$;
--> statement-breakpoint
GRANT tasks_app TO CURRENT_USER;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO tasks_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE task TO tasks_app;
--> statement-breakpoint
ALTER TABLE task ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY task_owner_only ON task
  USING (user_id = current_setting('app.user_id', true))
  WITH CHECK (user_id = current_setting('app.user_id', true));
