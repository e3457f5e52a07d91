/**
 * Undo (D34): delete and clear completed hide a task (`deleted_at`) instead of removing it,
 * `task.restore` brings it back for its owner within the retention window, and the purge removes
 * what is older for good.
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

describe.each(testBackends)('soft delete, restore and purge on %s', (backend) => {
  let database: DatabaseHandle;
  let tasks: TaskQueries;
  type User = { id: string; email: string };
  let ann: User;
  let bob: User;
  const as = (user: User) => createCaller(createInnerContext({ tasks, user }));

  /** Moves a task's deletion back in time, as if it happened `days` ago (the connection's own role). */
  const deletedDaysAgo = (id: string, days: number) =>
    database.db
      .update(taskTable)
      .set({ deletedAt: sql`now() - make_interval(secs => ${days * 86_400})` })
      .where(eq(taskTable.id, id));

  /** The row as stored, whatever RLS and the procedures show. */
  const stored = async (id: string) =>
    (await database.db.select().from(taskTable).where(eq(taskTable.id, id)))[0];

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    tasks = createTaskQueries(database, { role: database.appRole, retentionDays: 7 });
  });
  beforeAll(async () => {
    ann = await insertUser(database, 'ann');
    bob = await insertUser(database, 'bob');
  });
  afterAll(async () => {
    await database?.close();
  });

  it('delete hides the task from every read and write, keeps the row, and restore brings it back', async () => {
    const kept = await as(ann).task.create({ title: 'kept' });
    const gone = await as(ann).task.create({ title: 'gone', description: 'notes' });
    await as(ann).task.toggle({ id: gone.id });
    const before = await as(ann).task.get({ id: gone.id });

    expect(await as(ann).task.delete({ id: gone.id })).toEqual({ id: gone.id });

    const row = await stored(gone.id);
    expect(row?.deletedAt).toBeInstanceOf(Date);
    expect(row?.version).toBe(before.version + 1);
    expect((await as(ann).task.list()).items.map((t) => t.id)).toEqual([kept.id]);
    expect((await as(ann).task.list({ status: 'completed' })).items).toEqual([]);
    expect(await as(ann).task.counts()).toEqual({ all: 1, active: 1, completed: 0 });
    for (const call of [
      () => as(ann).task.get({ id: gone.id }),
      () => as(ann).task.update({ id: gone.id, title: 'x' }),
      () => as(ann).task.update({ id: gone.id, title: 'x', version: row?.version }),
      () => as(ann).task.toggle({ id: gone.id }),
      () => as(ann).task.delete({ id: gone.id }),
      // Someone else sees it as missing too, as before deletes could be undone.
      () => as(bob).task.get({ id: gone.id }),
    ]) {
      expect((await refusal(call())).code).toBe('NOT_FOUND');
    }

    const { items } = await as(ann).task.restore({ ids: [gone.id] });
    expect(items).toEqual([
      {
        ...before,
        version: before.version + 2,
        updatedAt: expect.any(String) as string,
      },
    ]);
    expect(await as(ann).task.get({ id: gone.id })).toEqual(items[0]);
    expect((await as(ann).task.list()).items.map((t) => t.id)).toEqual([gone.id, kept.id]);
    expect(await as(ann).task.counts()).toEqual({ all: 2, active: 1, completed: 1 });
    // The restored task is an ordinary one again: it can be edited with its new version.
    expect(
      await as(ann).task.update({ id: gone.id, title: 'back', version: before.version + 2 }),
    ).toMatchObject({ title: 'back', version: before.version + 3 });
  });

  it('clear completed is undone with one restore of the ids it returned, across pages', async () => {
    const carol = await insertUser(database, 'carol');
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await as(carol).task.create({ title: `t${i}` }));
    for (const t of made.slice(0, 3)) await as(carol).task.toggle({ id: t.id });
    const before = (await as(carol).task.list()).items;

    const cleared = await as(carol).task.clearCompleted();
    expect(cleared.deleted).toBe(3);
    expect(await as(carol).task.counts()).toEqual({ all: 2, active: 2, completed: 0 });

    const { items } = await as(carol).task.restore({ ids: cleared.ids });
    expect(items.map((t) => t.id)).toEqual(before.filter((t) => t.completed).map((t) => t.id));
    expect(items.every((t) => t.completed)).toBe(true);
    expect((await as(carol).task.list({ limit: 2 })).items.map((t) => t.id)).toEqual(
      before.slice(0, 2).map((t) => t.id),
    );
    expect(await as(carol).task.counts()).toEqual({ all: 5, active: 2, completed: 3 });
  });

  it('a live task is a no-op (same version); a repeated restore changes nothing', async () => {
    const t = await as(ann).task.create({ title: 'twice' });
    await as(ann).task.delete({ id: t.id });
    const [first] = (await as(ann).task.restore({ ids: [t.id, t.id] })).items;
    expect(first?.version).toBe(3);
    expect((await as(ann).task.restore({ ids: [t.id] })).items).toEqual([first]);
  });

  it("cannot restore or reveal another user's task, deleted or not; all or nothing", async () => {
    const annsLive = await as(ann).task.create({ title: 'ann live' });
    const annsDeleted = await as(ann).task.create({ title: 'ann deleted' });
    await as(ann).task.delete({ id: annsDeleted.id });
    const bobsDeleted = await as(bob).task.create({ title: 'bob deleted' });
    await as(bob).task.delete({ id: bobsDeleted.id });

    const unknown = randomUUID();
    const notFound = {
      code: 'NOT_FOUND',
      message: 'Task not found: it may have been deleted too long ago to restore',
    };
    expect(await refusal(as(bob).task.restore({ ids: [annsDeleted.id] }))).toEqual(notFound);
    expect(await refusal(as(bob).task.restore({ ids: [annsLive.id] }))).toEqual(notFound);
    expect(await refusal(as(bob).task.restore({ ids: [unknown] }))).toEqual(notFound);
    // One id that is not Bob's keeps his own deleted task deleted: nothing is half-restored.
    expect(await refusal(as(bob).task.restore({ ids: [bobsDeleted.id, annsDeleted.id] }))).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('1 of these') as string,
    });
    expect((await stored(bobsDeleted.id))?.deletedAt).not.toBeNull();
    expect((await stored(annsDeleted.id))?.deletedAt).not.toBeNull();
    expect((await as(bob).task.list()).items.map((t) => t.title)).toEqual([]);

    expect((await as(bob).task.restore({ ids: [bobsDeleted.id] })).items).toMatchObject([
      { title: 'bob deleted', userId: bob.id },
    ]);
    expect((await as(ann).task.list()).items.map((t) => t.id)).not.toContain(annsDeleted.id);
  });

  it('refuses empty, oversized and malformed inputs with BAD_REQUEST', async () => {
    expect((await refusal(as(ann).task.restore({ ids: [] }))).code).toBe('BAD_REQUEST');
    expect((await refusal(as(ann).task.restore({ ids: ['not-a-uuid'] }))).code).toBe('BAD_REQUEST');
    const tooMany = Array.from({ length: TASK_RESTORE_MAX + 1 }, () => randomUUID());
    expect((await refusal(as(ann).task.restore({ ids: tooMany }))).code).toBe('BAD_REQUEST');
    // @ts-expect-error -- deliberately wrong input: the owner is the token's, never the input's
    expect((await refusal(as(ann).task.restore({ ids: [randomUUID()], userId: bob.id }))).code).toBe(
      'BAD_REQUEST',
    );
  });

  it('only tasks deleted within the retention window are restorable', async () => {
    const t = await as(ann).task.create({ title: 'old' });
    await as(ann).task.delete({ id: t.id });
    await deletedDaysAgo(t.id, 6.9);
    const fresh = await as(ann).task.create({ title: 'too old' });
    await as(ann).task.delete({ id: fresh.id });
    await deletedDaysAgo(fresh.id, 7.1);

    expect((await as(ann).task.restore({ ids: [t.id] })).items).toHaveLength(1);
    expect((await refusal(as(ann).task.restore({ ids: [fresh.id] }))).code).toBe('NOT_FOUND');
  });

  it('a retried create whose task was since deleted is a CONFLICT, never a second task or a restore', async () => {
    const idempotencyKey = randomUUID();
    const made = await as(ann).task.create({ title: 'Pay rent', idempotencyKey });
    await as(ann).task.delete({ id: made.id });
    const countsBefore = await as(ann).task.counts();

    expect(await refusal(as(ann).task.create({ title: 'Pay rent', idempotencyKey }))).toEqual({
      code: 'CONFLICT',
      message: 'The task made with this idempotency key has since been deleted; use a new key for a new task',
    });
    expect(await as(ann).task.counts()).toEqual(countsBefore);
    expect((await stored(made.id))?.deletedAt).not.toBeNull();
    // Restored, the key finds it again like any retry.
    await as(ann).task.restore({ ids: [made.id] });
    expect(await as(ann).task.create({ title: 'Pay rent', idempotencyKey })).toMatchObject({ id: made.id });
  });

  describe('purge', () => {
    it('removes for good the tasks deleted before the window, anyone’s, and nothing else', async () => {
      const dora = await insertUser(database, 'dora');
      const ed = await insertUser(database, 'ed');
      const live = await as(dora).task.create({ title: 'live' });
      const recent = await as(dora).task.create({ title: 'recent' });
      const old = await as(dora).task.create({ title: 'old' });
      const edsOld = await as(ed).task.create({ title: 'ed old' });
      for (const [who, t] of [
        [dora, recent],
        [dora, old],
        [ed, edsOld],
      ] as const) {
        await as(who).task.delete({ id: t.id });
      }
      await deletedDaysAgo(recent.id, 6);
      await deletedDaysAgo(old.id, 8);
      await deletedDaysAgo(edsOld.id, 30);
      // An old `updated_at` alone never purges a live task.
      await database.db
        .update(taskTable)
        .set({ updatedAt: new Date(Date.now() - 60 * DAY_MS) })
        .where(eq(taskTable.id, live.id));

      expect(await tasks.purgeDeleted()).toBeGreaterThanOrEqual(2);
      expect(await stored(old.id)).toBeUndefined();
      expect(await stored(edsOld.id)).toBeUndefined();
      expect(await stored(recent.id)).toBeDefined();
      expect(await stored(live.id)).toBeDefined();
      expect((await as(dora).task.restore({ ids: [recent.id] })).items).toHaveLength(1);
      expect((await refusal(as(dora).task.restore({ ids: [old.id] }))).code).toBe('NOT_FOUND');
      expect(await tasks.purgeDeleted()).toBe(0);
    });

    it('purges in batches and runs safely from several instances at once', async () => {
      const fay = await insertUser(database, 'fay');
      const values = Array.from({ length: 2500 }, (_, i) => ({
        userId: fay.id,
        title: `bulk ${i}`,
        deletedAt: new Date(Date.now() - 10 * DAY_MS),
      }));
      await database.db.insert(taskTable).values(values);
      const other = createTaskQueries(database, { role: database.appRole, retentionDays: 7 });

      const counts = await Promise.all([tasks.purgeDeleted(), other.purgeDeleted()]);
      expect(counts[0] + counts[1]).toBe(2500);
      const [left] = await database.db
        .select({ n: sql<number>`count(*)::int` })
        .from(taskTable)
        .where(eq(taskTable.userId, fay.id));
      expect(left?.n).toBe(0);
    });

    it('honours a shorter configured retention', async () => {
      const gus = await insertUser(database, 'gus');
      const short = createTaskQueries(database, { role: database.appRole, retentionDays: 1 });
      const t = await as(gus).task.create({ title: 'short' });
      await as(gus).task.delete({ id: t.id });
      await deletedDaysAgo(t.id, 2);
      expect(
        (
          await refusal(
            createCaller(createInnerContext({ tasks: short, user: gus })).task.restore({ ids: [t.id] }),
          )
        ).code,
      ).toBe('NOT_FOUND');
      await short.purgeDeleted();
      expect(await stored(t.id)).toBeUndefined();
    });
  });
});
