-- Row-level security used to run as tasks_app, one role for every database on the cluster (roles
-- are cluster-wide), and PUBLIC may connect to a new database: another database's owner, a member
-- of tasks_app through its own migration, could connect here, SET ROLE tasks_app, set
-- app.user_id and read any user's tasks. Now:
-- * each database has its own NOLOGIN role, tasks_app_<database name, [a-z0-9_] only, 36 at
--   most>_<first 16 hex of md5(database name)>, at most 63 bytes; server/db/app-role.ts derives
--   the same name at run time. Only the migrating user is made a member;
-- * the shared tasks_app keeps nothing here (it may be dropped once every database is migrated);
-- * PUBLIC loses CONNECT on this database when the migrating user owns it (or is a superuser):
--   the database owner, superusers and roles granted CONNECT explicitly may connect.
-- Creating the role needs CREATEROLE, or an operator creates it first (see README, PostgreSQL).
DO $$
DECLARE
  app_role text := 'tasks_app_' || left(regexp_replace(current_database(), '[^a-z0-9_]', '_', 'g'), 36)
    || '_' || left(md5(current_database()), 16);
  others text;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app_role) THEN
    -- Made beforehand: by an operator (fine), or by someone who guessed the name and kept a way in.
    SELECT string_agg(quote_ident(m.rolname), ', ') INTO others
      FROM pg_auth_members a
      JOIN pg_roles r ON r.oid = a.roleid
      JOIN pg_roles m ON m.oid = a.member
      WHERE r.rolname = app_role AND m.rolname <> current_user AND NOT m.rolsuper;
    IF others IS NOT NULL OR (SELECT rolcanlogin OR rolbypassrls FROM pg_roles WHERE rolname = app_role) THEN
      RAISE EXCEPTION 'role % already exists and can log in, bypasses RLS or is granted to %; whoever holds it could read every task here. Make it NOLOGIN NOBYPASSRLS and revoke it from other roles, then migrate again', app_role, coalesce(others, 'no one else');
    END IF;
  ELSE
    EXECUTE format('CREATE ROLE %I NOLOGIN', app_role);
  END IF;
  EXECUTE format('GRANT %I TO CURRENT_USER', app_role);
  EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app_role);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE task TO %I', app_role);
  EXECUTE format('ALTER POLICY task_owner_only ON task TO %I', app_role);

  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tasks_app') THEN
    REVOKE ALL ON TABLE task FROM tasks_app;
    REVOKE ALL ON SCHEMA public FROM tasks_app;
  END IF;

  IF EXISTS (
    SELECT 1 FROM pg_database WHERE datname = current_database() AND pg_has_role(current_user, datdba, 'USAGE')
  ) THEN
    EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', current_database());
  ELSE
    RAISE WARNING 'not the owner of database %: PUBLIC keeps CONNECT; its owner should run REVOKE CONNECT ON DATABASE % FROM PUBLIC', current_database(), current_database();
  END IF;
END
$$;
