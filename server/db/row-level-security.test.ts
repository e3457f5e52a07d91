/**
 * Defense in depth: statements that deliberately *omit* the owner filter still cannot see or
 * change another user's tasks, because they run as the RLS-restricted role.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, insertUser, testBackends } from '../test/databases';
import type { DatabaseHandle } from './client';
import { APP_ROLE, createTaskQueries, type TaskQueries } from './task-queries';
import { task } from './task-schema';

describe.each(testBackends)('row-level security on task (%s)', (backend) => {
  let database: DatabaseHandle;
  let tasks: TaskQueries;
  let ann: { id: string };
  let bob: { id: string };
  let bobTaskId: string;

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    tasks = createTaskQueries(database);
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
    expect(rows).toEqual([{ role: APP_ROLE }]);
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
    expect(new Set(rows.map(([, role]) => role))).toEqual(new Set([APP_ROLE]));
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
      expect(row?.[0]).not.toBe(APP_ROLE);
      expect(row?.[1] ?? '').toBe('');
    }
  });

  it('the role alone, with no user set, sees nothing', async () => {
    const rows = await database.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', ${APP_ROLE}, true)`);
      return tx.select().from(task);
    });
    expect(rows).toEqual([]);
  });
});
