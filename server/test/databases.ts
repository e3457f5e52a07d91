/**
 * Real databases for tests: every database test runs on an in-memory PGlite, and also on
 * PostgreSQL when DATABASE_URL is set. Each call makes a fresh database that `close()` drops.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from '../db/client';
import { user } from '../db/auth-schema';

export type Backend = 'pglite' | 'postgres';

/** A fresh test database; `url` lets a second server instance open its own connections (PostgreSQL). */
export type TestDatabase = DatabaseHandle & { url?: string };

export const testBackends: Backend[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/** `adminUrl` (PostgreSQL) is where the database is created and dropped; DATABASE_URL by default. */
export async function createTestDatabase(
  backend: Backend,
  adminUrl = process.env.DATABASE_URL,
): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const handle = await openDatabase({ kind: 'pglite' });
    await handle.migrate();
    return handle;
  }
  if (!adminUrl) throw new Error('DATABASE_URL is required for the postgres backend');
  const name = `tasks_test_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 5 });
  await handle.migrate();
  return {
    ...handle,
    url: url.toString(),
    async close() {
      await handle.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      // Roles are cluster-wide: the database's own RLS role would outlive it.
      await admin`drop role if exists ${admin(handle.appRole)}`;
      await admin.end();
    },
  };
}

/** Inserts a user row directly (procedure tests do not need Better Auth) and returns the token user. */
export async function insertUser(
  database: DatabaseHandle,
  name = 'user',
): Promise<{ id: string; email: string }> {
  const id = randomUUID();
  const email = `${name}-${id.slice(0, 8)}@example.com`;
  await database.db.insert(user).values({ id, name, email, emailVerified: false });
  return { id, email };
}
