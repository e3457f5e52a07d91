import { createHash } from 'node:crypto';

/**
 * The NOLOGIN role row-level security applies to in the database named `databaseName`: one per
 * database, since roles are cluster-wide. The same derivation as drizzle/0005_rls_role_per_database.sql
 * (`[a-z0-9_]` only, for readability; the hash keeps `my-db` and `my_db` apart), at most 63 bytes.
 */
export function appRoleFor(databaseName: string): string {
  const readable = databaseName.replace(/[^a-z0-9_]/gu, '_').slice(0, 36);
  const hash = createHash('md5').update(databaseName, 'utf8').digest('hex').slice(0, 16);
  return `tasks_app_${readable}_${hash}`;
}
