/**
 * Each database has its own row-level-security role, and the server finds the one the migration
 * created, whatever the database is called.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, insertUser } from '../test/databases';
import { appRoleFor } from './app-role';
import { openDatabase, type DatabaseHandle } from './client';
import { createTaskQueries } from './task-queries';
import { task } from './task-schema';

/** Task statements run under the role derived from the name, and it cannot log in. */
async function expectWorkingRole(database: DatabaseHandle, name: string): Promise<void> {
  expect(database.appRole).toBe(appRoleFor(name));
  const tasks = createTaskQueries(database, { role: database.appRole });
  const user = await insertUser(database, 'ann');
  await tasks.create(user.id, 'hello', null);
  expect((await tasks.list(user.id, 'all', 10, null)).map((t) => t.title)).toEqual(['hello']);
  const roles = await tasks.asUser(user.id, (tx) =>
    tx
      .select({
        role: sql<string>`current_user`,
        canLogIn: sql<boolean>`(select rolcanlogin from pg_roles where rolname = current_user)`,
      })
      .from(task),
  );
  expect(roles).toEqual([{ role: appRoleFor(name), canLogIn: false }]);
}

describe('appRoleFor', () => {
  it('keeps [a-z0-9_] of the name, within 63 bytes, and tells apart names that read alike', () => {
    const names = ['tasks', 'my-db', 'my_db', 'My_db', 'ünïcode 🙂', 'x'.repeat(63), '🙂'.repeat(15)];
    const roles = names.map(appRoleFor);
    for (const role of roles) {
      expect(role).toMatch(/^tasks_app_[a-z0-9_]*_[0-9a-f]{16}$/);
      expect(Buffer.byteLength(role)).toBeLessThanOrEqual(63);
    }
    expect(new Set(roles).size).toBe(names.length);
    expect(appRoleFor('tasks')).toMatch(/^tasks_app_tasks_/);
  });
});

describe('the row-level-security role of a database', () => {
  it('is the one the migration created on PGlite', async () => {
    const database = await createTestDatabase('pglite');
    try {
      await expectWorkingRole(database, 'postgres');
    } finally {
      await database.close();
    }
  });

  const adminUrl = process.env.DATABASE_URL;
  // postgres-js does not decode a percent-encoded database name, so only URL-safe names here.
  it.runIf(adminUrl).each(['Tasks-Prod', 'tasks.v2~', 'long_'.repeat(12)])(
    'is the one the migration created on PostgreSQL for a database named %s',
    async (base) => {
      const name = `${base}${randomUUID().slice(0, 3)}`;
      const admin = postgres(adminUrl ?? '', { max: 1, onnotice: () => {} });
      const url = new URL(adminUrl ?? '');
      url.pathname = `/${encodeURIComponent(name)}`;
      // `admin(name)` would read the dot as schema.name: quote by hand.
      await admin.unsafe(`create database "${name}"`);
      let database: DatabaseHandle | undefined;
      try {
        database = await openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 2 });
        await database.migrate();
        await expectWorkingRole(database, name);
      } finally {
        await database?.close();
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
        await admin`drop role if exists ${admin(appRoleFor(name))}`;
        await admin.end();
      }
    },
  );
});

describe.runIf(process.env.DATABASE_URL)('a role made beforehand under the derived name (postgres)', () => {
  it('stops the migration when someone else holds it, and names the holder', async () => {
    const adminUrl = process.env.DATABASE_URL ?? '';
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    const name = `tasks_squat_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const squatter = `squatter_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const role = appRoleFor(name);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    let handle: DatabaseHandle | undefined;
    try {
      // Someone who guessed the name of the next database made its role first, and kept a way in.
      await admin.unsafe(`create role "${role}" nologin`);
      await admin.unsafe(`create role "${squatter}" login`);
      await admin.unsafe(`grant "${role}" to "${squatter}"`);
      await admin.unsafe(`create database "${name}"`);
      handle = await openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 1 });
      // drizzle wraps the driver's error; PostgreSQL's own message is its cause.
      await expect(handle.migrate()).rejects.toMatchObject({
        cause: {
          message: expect.stringMatching(new RegExp(`${role} already exists .* granted to ${squatter}`)),
        },
      });
    } finally {
      await handle?.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.unsafe(`drop role if exists "${squatter}"`);
      await admin.unsafe(`drop role if exists "${role}"`);
      await admin.end();
    }
  });
});
