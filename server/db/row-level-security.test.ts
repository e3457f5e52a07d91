/**
 * Defense in depth: statements that deliberately *omit* the owner filter still cannot see or
 * change another user's tasks, because they run as the RLS-restricted role.
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, insertUser, testBackends, type TestDatabase } from '../test/databases';
import { openDatabase, type DatabaseHandle } from './client';
import { createTaskQueries, type TaskQueries } from './task-queries';
import { task } from './task-schema';

describe.each(testBackends)('row-level security on task (%s)', (backend) => {
  let database: DatabaseHandle;
  let tasks: TaskQueries;
  let ann: { id: string };
  let bob: { id: string };
  let bobTaskId: string;

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    tasks = createTaskQueries(database, { role: database.appRole });
    ann = await insertUser(database, 'ann');
    bob = await insertUser(database, 'bob');
    await tasks.create(ann.id, 'ann 1', null);
    await tasks.create(ann.id, 'ann 2', null);
    bobTaskId = (await tasks.create(bob.id, 'bob secret', 'do not read')).id;
  });
  afterAll(async () => {
    await database?.close();
  });

  it('runs task statements as the restricted role', async () => {
    const rows = await tasks.asUser(ann.id, (tx) =>
      tx
        .select({ role: sql<string>`current_user` })
        .from(task)
        .limit(1),
    );
    expect(rows).toEqual([{ role: database.appRole }]);
  });

  it('a select without an owner filter returns only my tasks', async () => {
    const rows = await tasks.asUser(ann.id, (tx) => tx.select({ title: task.title }).from(task));
    expect(rows.map((r) => r.title).sort()).toEqual(['ann 1', 'ann 2']);
    const byId = await tasks.asUser(ann.id, (tx) => tx.select().from(task).where(eq(task.id, bobTaskId)));
    expect(byId).toEqual([]);
  });

  it('an update or delete without an owner filter cannot touch a foreign row', async () => {
    const updated = await tasks.asUser(ann.id, (tx) =>
      tx.update(task).set({ title: 'pwned' }).where(eq(task.id, bobTaskId)).returning(),
    );
    const deleted = await tasks.asUser(ann.id, (tx) =>
      tx.delete(task).where(eq(task.id, bobTaskId)).returning(),
    );
    expect(updated).toEqual([]);
    expect(deleted).toEqual([]);
    expect(await tasks.get(bob.id, bobTaskId)).toMatchObject({ title: 'bob secret', version: 1 });
  });

  it('an insert for another user is refused by the policy', async () => {
    await expect(
      tasks.asUser(ann.id, (tx) => tx.insert(task).values({ userId: bob.id, title: 'planted' })),
    ).rejects.toThrow();
    expect((await tasks.list(bob.id, 'all', 10, null)).map((t) => t.title)).toEqual(['bob secret']);
  });

  it('the one-round-trip path the procedures use applies the same policy', async () => {
    const unfiltered = database.db.select({ title: task.title, role: sql<string>`current_user` }).from(task);
    const rows = await tasks.runAs(ann.id, unfiltered.toSQL());
    expect(rows.map(([title]) => title).sort()).toEqual(['ann 1', 'ann 2']);
    expect(new Set(rows.map(([, role]) => role))).toEqual(new Set([database.appRole]));
    const planted = database.db.insert(task).values({ userId: bob.id, title: 'planted' });
    await expect(tasks.runAs(ann.id, planted.toSQL())).rejects.toThrow();
    expect((await tasks.list(bob.id, 'all', 10, null)).map((t) => t.title)).toEqual(['bob secret']);
  });

  it('leaves no connection in the role or in a transaction, even after a failed statement', async () => {
    await expect(tasks.runAs(ann.id, { sql: 'select 1/0', params: [] })).rejects.toThrow();
    const states = await Promise.all(
      Array.from({ length: 10 }, () =>
        database.pipeline([{ sql: "select current_user, current_setting('app.user_id', true)", params: [] }]),
      ),
    );
    for (const [[row] = []] of states) {
      expect(row?.[0]).not.toBe(database.appRole);
      expect(row?.[1] ?? '').toBe('');
    }
  });

  it('the role alone, with no user set, sees nothing', async () => {
    const rows = await database.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', ${database.appRole}, true)`);
      return tx.select().from(task);
    });
    expect(rows).toEqual([]);
  });
});

/**
 * Roles are cluster-wide: another application's owner on the same PostgreSQL cluster (staging,
 * another tenant) used to be a member of the shared `tasks_app` through its own migration, connect
 * here (PUBLIC had CONNECT), `SET ROLE tasks_app`, claim a victim's id and read their tasks.
 */
describe.runIf(process.env.DATABASE_URL)('another database on the same cluster (postgres)', () => {
  const adminUrl = process.env.DATABASE_URL ?? '';
  const suffix = randomUUID().replaceAll('-', '').slice(0, 12);
  const intruder = `intruder_${suffix}`;
  const member = `member_${suffix}`;
  const otherName = `other_app_${suffix}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const urlFor = (user: string, databaseName: string) => {
    const url = new URL(adminUrl);
    url.username = user;
    url.password = '';
    url.pathname = `/${databaseName}`;
    return url.toString();
  };
  let database: TestDatabase;
  let databaseName: string;
  let victim: { id: string };
  let otherRole: string | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    databaseName = new URL(database.url ?? '').pathname.slice(1);
    victim = await insertUser(database, 'victim');
    await createTaskQueries(database, { role: database.appRole }).create(victim.id, 'victim secret', null);

    // The other application's owner, set up as our README asks: it creates and migrates its own database.
    await admin.unsafe(`create role "${intruder}" login createdb createrole`);
    await admin.unsafe(`create database "${otherName}" owner "${intruder}"`);
    const other = await openDatabase({ kind: 'postgres', url: urlFor(intruder, otherName), poolMax: 1 });
    try {
      await other.migrate();
      otherRole = other.appRole;
    } finally {
      await other.close();
    }
    // A plain role in both RLS roles of the other application, the old shared one and its own.
    await admin.unsafe(`create role "${member}" login`);
    await admin.unsafe(`grant tasks_app, "${otherRole}" to "${member}"`);
  });
  afterAll(async () => {
    await admin.unsafe(`drop database if exists "${otherName}" with (force)`);
    await database?.close();
    for (const role of [member, otherRole, intruder]) {
      if (role) await admin.unsafe(`drop role if exists "${role}"`);
    }
    await admin.end();
  });

  /** Runs `statements` in one transaction as `user` connected to this database; resolves to the last result. */
  async function asRole(user: string, statements: string[]): Promise<unknown> {
    const client = postgres(urlFor(user, databaseName), { max: 1, onnotice: () => {} });
    try {
      return await client.begin(async (tx) => {
        let last: unknown;
        for (const statement of statements) last = await tx.unsafe(statement);
        return last;
      });
    } finally {
      await client.end();
    }
  }
  const claimVictim = () => `select set_config('app.user_id', '${victim.id}', true)`;

  it('refuses the other database owner a connection to this database', async () => {
    await expect(
      asRole(intruder, ['set role tasks_app', claimVictim(), 'select title from task']),
    ).rejects.toMatchObject({ code: '42501' }); // permission denied for database
  });

  it('gives a member of the shared tasks_app and of the other database role nothing here, even with CONNECT', async () => {
    await admin.unsafe(`grant connect on database "${databaseName}" to "${member}"`);
    for (const role of ['tasks_app', otherRole ?? '']) {
      await expect(
        asRole(member, [`set role "${role}"`, claimVictim(), 'select title from task']),
      ).rejects.toMatchObject({
        code: '42501', // permission denied for table task
      });
      await expect(
        asRole(member, [`set role "${role}"`, claimVictim(), `update task set title = 'pwned'`]),
      ).rejects.toMatchObject({ code: '42501' });
    }
    await expect(asRole(member, [`set role "${database.appRole}"`])).rejects.toMatchObject({ code: '42501' });
    await expect(asRole(member, ['select title from task'])).rejects.toMatchObject({ code: '42501' });
    const tasks = createTaskQueries(database, { role: database.appRole });
    expect((await tasks.list(victim.id, 'all', 10, null)).map((t) => t.title)).toEqual(['victim secret']);
  });
});
