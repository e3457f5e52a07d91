/**
 * "Recently deleted" (D40): `task.listDeleted` shows the caller's deleted tasks that can still be
 * restored, last deleted first and paginated; `task.deleteForever` and `task.emptyDeleted` remove
 * them for good before the purge would. Only ever the caller's own deleted tasks.
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_RESTORE_MAX } from '../../../shared/task';
import type { DatabaseHandle } from '../../db/client';
import { createTaskQueries, type TaskQueries } from '../../db/task-queries';
import { task as taskTable } from '../../db/task-schema';
import { refusal } from '../../test/refusal';
import { createTestDatabase, insertUser, testBackends } from '../../test/databases';
import { createInnerContext } from '../context';
import { createCallerFactory } from '../init';
import { appRouter } from '../router';

const createCaller = createCallerFactory(appRouter);

const DAY_MS = 86_400_000;

describe.each(testBackends)('recently deleted on %s', (backend) => {
  let database: DatabaseHandle;
  let tasks: TaskQueries;
  type User = { id: string; email: string };
  const as = (user: User) => createCaller(createInnerContext({ tasks, user }));

  /** Moves a task's deletion back in time (the connection's own role, past RLS). */
  const deletedAgo = (id: string, seconds: number) =>
    database.db
      .update(taskTable)
      .set({ deletedAt: sql`now() - make_interval(secs => ${seconds})` })
      .where(eq(taskTable.id, id));

  const stored = async (id: string) =>
    (await database.db.select().from(taskTable).where(eq(taskTable.id, id)))[0];

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    tasks = createTaskQueries(database, { role: database.appRole, retentionDays: 7 });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('lists the deleted tasks last deleted first, with when each goes for good, and pages through them', async () => {
    const ann = await insertUser(database, 'ann-list');
    const live = await as(ann).task.create({ title: 'still here' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await as(ann).task.create({ title: `deleted ${i}`, description: `notes ${i}` });
      await as(ann).task.delete({ id: created.id });
      // Deleted i minutes ago: the last one created is the oldest deletion.
      await deletedAgo(created.id, 60 * (i + 1));
      ids.push(created.id);
    }

    const first = await as(ann).task.listDeleted({ limit: 2 });
    expect(first.items.map((t) => t.title)).toEqual(['deleted 0', 'deleted 1']);
    expect(first.items[0]).toMatchObject({ id: ids[0], description: 'notes 0', completed: false });
    const item = first.items[0];
    if (!item) throw new Error('no item');
    expect(Date.parse(item.purgeAt) - Date.parse(item.deletedAt)).toBe(7 * DAY_MS);
    expect(Math.abs(Date.now() - 60_000 - Date.parse(item.deletedAt))).toBeLessThan(30_000);

    const second = await as(ann).task.listDeleted({ limit: 2, cursor: first.nextCursor ?? undefined });
    const third = await as(ann).task.listDeleted({ limit: 2, cursor: second.nextCursor ?? undefined });
    expect([...second.items, ...third.items].map((t) => t.title)).toEqual([
      'deleted 2',
      'deleted 3',
      'deleted 4',
    ]);
    expect(third.nextCursor).toBeNull();
    expect((await as(ann).task.listDeleted()).items.map((t) => t.id)).not.toContain(live.id);
  });

  it('leaves out what can no longer be restored, and what was restored', async () => {
    const ann = await insertUser(database, 'ann-window');
    const old = await as(ann).task.create({ title: 'too old' });
    const restored = await as(ann).task.create({ title: 'back again' });
    await as(ann).task.delete({ id: old.id });
    await as(ann).task.delete({ id: restored.id });
    await deletedAgo(old.id, 8 * 86_400);
    await as(ann).task.restore({ ids: [restored.id] });
    expect((await as(ann).task.listDeleted()).items).toEqual([]);
  });

  it("shows and removes only the caller's own deleted tasks", async () => {
    const ann = await insertUser(database, 'ann-own');
    const bob = await insertUser(database, 'bob-own');
    const hers = await as(ann).task.create({ title: 'hers' });
    await as(ann).task.delete({ id: hers.id });
    const his = await as(bob).task.create({ title: 'his' });
    await as(bob).task.delete({ id: his.id });

    expect((await as(bob).task.listDeleted()).items.map((t) => t.id)).toEqual([his.id]);
    // Another user's deleted task is NOT_FOUND like a missing one, and nothing of Bob's goes either.
    const refused = await refusal(as(bob).task.deleteForever({ ids: [his.id, hers.id] }));
    expect(refused.code).toBe('NOT_FOUND');
    expect(refused.message).toMatch(/1 of these tasks were not found .*none was removed/);
    expect(await stored(his.id)).toBeDefined();
    expect(await stored(hers.id)).toBeDefined();

    expect(await as(bob).task.emptyDeleted()).toEqual({ deleted: 1, ids: [his.id] });
    expect(await stored(his.id)).toBeUndefined();
    expect(await stored(hers.id)).toBeDefined();
    expect((await as(ann).task.listDeleted()).items.map((t) => t.id)).toEqual([hers.id]);
  });

  it('deletes for good: the row is gone, restore and a retried create cannot bring it back', async () => {
    const ann = await insertUser(database, 'ann-forever');
    const key = randomUUID();
    const gone = await as(ann).task.create({ title: 'secret', idempotencyKey: key });
    const kept = await as(ann).task.create({ title: 'kept in trash' });
    await as(ann).task.delete({ id: gone.id });
    await as(ann).task.delete({ id: kept.id });

    expect(await as(ann).task.deleteForever({ ids: [gone.id, gone.id] })).toEqual({
      deleted: 1,
      ids: [gone.id],
    });
    expect(await stored(gone.id)).toBeUndefined();
    expect((await as(ann).task.listDeleted()).items.map((t) => t.id)).toEqual([kept.id]);
    expect((await refusal(as(ann).task.restore({ ids: [gone.id] }))).code).toBe('NOT_FOUND');
    // Sent again (a retry after a lost answer): already gone, said plainly.
    const again = await refusal(as(ann).task.deleteForever({ ids: [gone.id] }));
    expect(again).toEqual({
      code: 'NOT_FOUND',
      message: 'Task not found among your deleted tasks: it may have been restored or removed already',
    });
    // Its idempotency key is free again: the same request makes a new task.
    const remade = await as(ann).task.create({ title: 'secret', idempotencyKey: key });
    expect(remade.id).not.toBe(gone.id);
  });

  it('never removes a live task', async () => {
    const ann = await insertUser(database, 'ann-live');
    const live = await as(ann).task.create({ title: 'not deleted' });
    expect((await refusal(as(ann).task.deleteForever({ ids: [live.id] }))).code).toBe('NOT_FOUND');
    expect(await as(ann).task.emptyDeleted()).toEqual({ deleted: 0, ids: [] });
    expect((await as(ann).task.get({ id: live.id })).title).toBe('not deleted');
  });

  it('refuses bad input with BAD_REQUEST', async () => {
    const ann = await insertUser(database, 'ann-input');
    const bad = [
      () => as(ann).task.deleteForever({ ids: [] }),
      () => as(ann).task.deleteForever({ ids: ['not-a-uuid'] }),
      () =>
        as(ann).task.deleteForever({ ids: Array.from({ length: TASK_RESTORE_MAX + 1 }, () => randomUUID()) }),
      () => as(ann).task.listDeleted({ cursor: 'garbage' }),
      () => as(ann).task.listDeleted({ limit: 0 }),
      () =>
        as(ann).task.listDeleted({
          cursor: Buffer.from('["0000-01-01T00:00:00.000Z","x"]').toString('base64url'),
        }),
    ];
    for (const call of bad) expect((await refusal(call())).code).toBe('BAD_REQUEST');
  });
});
