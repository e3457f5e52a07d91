/**
 * `task.changes` through createCaller on a real database: the trigger's outbox, the feed's
 * LISTEN wake-ups, own events only, resume without gap or duplicate, resync, the per-user limit.
 */
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskChangeEvent } from '../../../shared/task-events';
import { user as userTable } from '../../db/auth-schema';
import type { DatabaseHandle } from '../../db/client';
import { taskEvent } from '../../db/task-event-schema';
import { createTaskQueries, type TaskQueries } from '../../db/task-queries';
import { createTaskChangeFeed, TASK_EVENTS_CHANNEL, type TaskChangeFeed } from '../../live/task-change-feed';
import { createTestDatabase, insertUser, testBackends, type TestDatabase } from '../../test/databases';
import { silentLogger } from '../../test/env';
import { createInnerContext } from '../context';
import { createCallerFactory } from '../init';
import { appRouter } from '../router';

const createCaller = createCallerFactory(appRouter);

type User = { id: string; email: string };

/** An open subscription: its events as `[id, event]`, pulled one at a time with a timeout. */
async function subscribe(tasks: TaskQueries, changes: TaskChangeFeed, user: User, lastEventId?: string) {
  const abort = new AbortController();
  const caller = createCaller(createInnerContext({ tasks, user, changes }), { signal: abort.signal });
  const iterable = await caller.task.changes(lastEventId === undefined ? {} : { lastEventId });
  const iterator = iterable[Symbol.asyncIterator]();
  // A read that timed out stays pending and is the next call's: a second `next()` would skip it.
  let pending: ReturnType<typeof iterator.next> | undefined;
  // Start the generator (it opens the stream and reads on its first pull) and let it get going;
  // the read stays pending for the first `next()`.
  pending = iterator.next();
  pending.catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    /** The next event, or `undefined` if none comes within `ms`. */
    async next(ms = 2_000): Promise<[string, TaskChangeEvent] | undefined> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      });
      pending ??= iterator.next();
      const result = await Promise.race([pending, timeout]);
      clearTimeout(timer);
      if (result === undefined) return undefined;
      pending = undefined;
      if (result.done) throw new Error('stream ended');
      const [id, event] = result.value as unknown as [string, TaskChangeEvent];
      return [id, event];
    },
    async close() {
      abort.abort();
      await iterator.return?.();
    },
  };
}

describe.each(testBackends)('task.changes on %s', (backend) => {
  let database: DatabaseHandle;
  let tasks: TaskQueries;
  let changes: TaskChangeFeed;
  let ann: User;
  let bob: User;
  // Mutations carry the feed as over HTTP: it announces each committed change.
  const as = (user: User) => createCaller(createInnerContext({ tasks, user, changes }));

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    tasks = createTaskQueries(database, { role: database.appRole });
    changes = createTaskChangeFeed({
      database,
      log: silentLogger(),
      maxStreamsPerUser: 3,
      retentionSeconds: 3600,
    });
    await changes.start();
    ann = await insertUser(database, 'ann');
    bob = await insertUser(database, 'bob');
  });
  afterAll(async () => {
    await changes?.stop();
    await database?.close();
  });

  it('sends a delete as deleted and its Undo (restore) as created, so other tabs follow an Undo', async () => {
    const task = await as(ann).task.create({ title: 'Undo me' });
    const stream = await subscribe(tasks, changes, ann);
    try {
      await as(ann).task.delete({ id: task.id });
      expect((await stream.next())?.[1]).toEqual({ type: 'deleted', id: task.id, version: 2 });
      await as(ann).task.restore({ ids: [task.id] });
      expect((await stream.next())?.[1]).toEqual({
        type: 'created',
        task: expect.objectContaining({ id: task.id, title: 'Undo me', version: 3 }),
      });
      // Restoring a task that is already live changes nothing, and says nothing.
      await as(ann).task.restore({ ids: [task.id] });
      expect(await stream.next(300)).toBeUndefined();
    } finally {
      await stream.close();
    }
  });

  it('sends every kind of change to the owner, in order, and nothing of anyone else', async () => {
    // Changes made before the stream reads them, so the outbox is read in one batch.
    const before = (await changes.latest(ann.id)).toString();
    const keeper = await as(ann).task.create({ title: 'Keep' });
    await as(ann).task.update({ id: keeper.id, title: 'Kept', version: 1 });
    const other = await as(ann).task.create({ title: 'Call mum' });
    await as(ann).task.delete({ id: other.id });
    const c1 = await as(ann).task.create({ title: 'Done 1' });
    const c2 = await as(ann).task.create({ title: 'Done 2' });
    await as(ann).task.toggle({ id: c1.id });
    await as(ann).task.toggle({ id: c2.id });
    await as(ann).task.clearCompleted();

    const annStream = await subscribe(tasks, changes, ann, before);
    const bobStream = await subscribe(tasks, changes, bob);
    try {
      const seen: [string, TaskChangeEvent][] = [];
      for (let i = 0; i < 4; i++) {
        const next = await annStream.next();
        if (next) seen.push(next);
      }
      const ids = seen.map(([id]) => BigInt(id));
      expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
      expect(new Set(ids).size).toBe(ids.length);
      expect(seen.map(([, event]) => event)).toEqual([
        // A task still there is sent as it is now (and a newer version wins on the client).
        { type: 'created', task: expect.objectContaining({ id: keeper.id, title: 'Kept', version: 2 }) },
        { type: 'updated', task: expect.objectContaining({ id: keeper.id, title: 'Kept', version: 2 }) },
        // Call mum was deleted before it was read: only its `deleted` is sent, and so for the
        // completed tasks, whose deletes in one transaction are one `cleared`. A delete is a soft
        // delete (D34) that bumps the version, so a client holding version 1 knows it is newer.
        { type: 'deleted', id: other.id, version: 2 },
        { type: 'cleared', ids: expect.arrayContaining([c1.id, c2.id]) },
      ]);
      expect(await annStream.next(300)).toBeUndefined();
      expect(await bobStream.next(300)).toBeUndefined();
      // Bob's own change reaches Bob only.
      const bobs = await as(bob).task.create({ title: 'Bob' });
      expect((await bobStream.next())?.[1]).toMatchObject({ type: 'created', task: { id: bobs.id } });
      expect(await annStream.next(300)).toBeUndefined();
    } finally {
      await annStream.close();
      await bobStream.close();
    }
  });

  it('delivers a change made while waiting, within a second', async () => {
    const stream = await subscribe(tasks, changes, ann);
    try {
      const started = performance.now();
      const made = await as(ann).task.create({ title: 'Live' });
      const event = await stream.next(1_000);
      expect(event?.[1]).toMatchObject({ type: 'created', task: { id: made.id, version: 1 } });
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      await stream.close();
    }
  });

  it('resumes from lastEventId with no gap and no duplicate', async () => {
    const first = await subscribe(tasks, changes, ann);
    const a = await as(ann).task.create({ title: 'A' });
    const eventA = await first.next();
    expect(eventA?.[1]).toMatchObject({ type: 'created', task: { id: a.id } });
    await first.close();

    // While disconnected.
    const b = await as(ann).task.create({ title: 'B' });
    await as(ann).task.update({ id: a.id, title: 'A2' });
    await as(bob).task.create({ title: 'not for ann' });

    const resumed = await subscribe(tasks, changes, ann, eventA?.[0]);
    try {
      const got = [await resumed.next(), await resumed.next()];
      expect(got.map((e) => e?.[1])).toEqual([
        { type: 'created', task: expect.objectContaining({ id: b.id, title: 'B' }) },
        { type: 'updated', task: expect.objectContaining({ id: a.id, title: 'A2', version: 2 }) },
      ]);
      expect(await resumed.next(300)).toBeUndefined();
    } finally {
      await resumed.close();
    }
  });

  it('asks for a resync when the id is older than what the outbox keeps, or unknown', async () => {
    const stream = await subscribe(tasks, changes, ann, '999999999999');
    try {
      expect((await stream.next())?.[1]).toEqual({ type: 'resync' });
    } finally {
      await stream.close();
    }
    // Purge everything kept (as an expired retention would), then resume from an old id.
    const old = createTaskChangeFeed({
      database,
      log: silentLogger(),
      maxStreamsPerUser: 1,
      retentionSeconds: 0,
    });
    await as(ann).task.create({ title: 'will be purged' });
    await old.purge();
    const late = await subscribe(tasks, changes, ann, '1');
    try {
      expect((await late.next())?.[1]).toEqual({ type: 'resync' });
      const after = await as(ann).task.create({ title: 'after resync' });
      expect((await late.next())?.[1]).toMatchObject({ type: 'created', task: { id: after.id } });
    } finally {
      await late.close();
    }
  });

  it('refuses a stream past the per-user limit with TOO_MANY_REQUESTS, and frees it on close', async () => {
    const open = [
      await subscribe(tasks, changes, bob),
      await subscribe(tasks, changes, bob),
      await subscribe(tasks, changes, bob),
    ];
    expect(changes.openStreams(bob.id)).toBe(3);
    // Refused before the stream starts (over HTTP: a 429).
    await expect(subscribe(tasks, changes, bob)).rejects.toSatisfy(
      (error: unknown) => error instanceof TRPCError && error.code === 'TOO_MANY_REQUESTS',
    );
    // Ann is not affected by Bob's streams.
    const annStream = await subscribe(tasks, changes, ann);
    expect(changes.openStreams(ann.id)).toBe(1);
    await annStream.close();
    await open[0]?.close();
    const again = await subscribe(tasks, changes, bob);
    expect(changes.openStreams(bob.id)).toBe(3);
    for (const s of [...open.slice(1), again]) await s.close();
    expect(changes.openStreams(bob.id)).toBe(0);
  });

  it('misses nothing while many changes of one user commit at once (ids in commit order)', async () => {
    const dan = await insertUser(database, 'dan');
    const stream = await subscribe(tasks, changes, dan);
    try {
      const made = await Promise.all(
        Array.from({ length: 40 }, (_, i) => as(dan).task.create({ title: `burst ${i}` })),
      );
      const seen = new Map<string, number>();
      for (let i = 0; i < 200 && seen.size < made.length; i++) {
        const next = await stream.next(2_000);
        if (!next) break;
        if (next[1].type === 'created') seen.set(next[1].task.id, (seen.get(next[1].task.id) ?? 0) + 1);
      }
      expect([...seen.keys()].sort()).toEqual(made.map((t) => t.id).sort());
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await stream.close();
    }
  });

  it.runIf(backend === 'postgres')(
    'delivers a change that committed after a later-numbered one (per-user commit order)',
    async () => {
      const url = (database as TestDatabase).url;
      if (!url) throw new Error('no url');
      const erin = await insertUser(database, 'erin');
      const stream = await subscribe(tasks, changes, erin);
      const other = postgres(url, { max: 1, onnotice: () => {} });
      try {
        // T1 takes the smaller event id and stays open…
        const first = await other.reserve();
        await first`begin`;
        await first`insert into task (user_id, title) values (${erin.id}, 'first, committed last')`;
        // …T2 writes after it and commits first (or, with the per-user lock, waits for T1).
        const second = as(erin).task.create({ title: 'second' });
        await new Promise((resolve) => setTimeout(resolve, 300));
        await first`commit`;
        first.release();
        await second;
        const titles = new Set<string>();
        for (let i = 0; i < 4 && titles.size < 2; i++) {
          const next = await stream.next(1_000);
          if (next?.[1].type === 'created') titles.add(next[1].task.title);
        }
        expect(titles).toEqual(new Set(['first, committed last', 'second']));
      } finally {
        await other.end();
        await stream.close();
      }
    },
  );

  it('keeps each user to their own outbox rows under row-level security', async () => {
    await as(bob).task.create({ title: 'bob private' });
    const rows = await tasks.asUser(ann.id, (tx) => tx.select({ userId: taskEvent.userId }).from(taskEvent));
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.userId))).toEqual(new Set([ann.id]));
  });

  it('emits deleted for every task when the account is deleted (the cascade), found by the sweep', async () => {
    // SQL that does not go through a procedure announces nothing: the sweep finds it.
    const sweeping = createTaskChangeFeed({
      database,
      log: silentLogger(),
      maxStreamsPerUser: 3,
      retentionSeconds: 3600,
      sweepIntervalMs: 200,
    });
    await sweeping.start();
    const carl = await insertUser(database, 'carl');
    const t = await as(carl).task.create({ title: 'mine' });
    const stream = await subscribe(tasks, sweeping, carl);
    try {
      await database.db.delete(userTable).where(eq(userTable.id, carl.id));
      expect((await stream.next())?.[1]).toEqual({ type: 'deleted', id: t.id, version: 1 });
    } finally {
      await stream.close();
      await sweeping.stop();
    }
  });

  it('announces only committed changes: a refused one wakes no stream', async () => {
    const woken: string[] = [];
    const stop = await database.listen(
      TASK_EVENTS_CHANNEL,
      (userId) => woken.push(userId),
      () => {},
    );
    try {
      const made = await as(ann).task.create({ title: 'announced' });
      await expect(as(ann).task.update({ id: made.id, title: 'stale', version: 99 })).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(woken.filter((id) => id === ann.id)).toHaveLength(1);
    } finally {
      await stop();
    }
  });
});
