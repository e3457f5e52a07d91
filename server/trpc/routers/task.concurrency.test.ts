/**
 * Concurrent writes to one task, through the procedures, on each backend: toggles never get
 * lost, and optimistic concurrency lets exactly one of several same-version updates win.
 */
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client';
import { createTaskQueries, type TaskQueries } from '../../db/task-queries';
import { createTestDatabase, insertUser, testBackends } from '../../test/databases';
import { createInnerContext } from '../context';
import { createCallerFactory } from '../init';
import { appRouter } from '../router';

const createCaller = createCallerFactory(appRouter);

describe.each(testBackends)('concurrent writes to one task on %s', (backend) => {
  let database: DatabaseHandle;
  let tasks: TaskQueries;
  let caller: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    tasks = createTaskQueries(database, { role: database.appRole });
    caller = createCaller(createInnerContext({ tasks, user: await insertUser(database, 'racer') }));
  });
  afterAll(async () => {
    await database?.close();
  });

  it.each([24, 25])('%i concurrent toggles end at their parity, each one a version of its own', async (n) => {
    const created = await caller.task.create({ title: `toggled ${n} times` });
    const results = await Promise.all(
      Array.from({ length: n }, () => caller.task.toggle({ id: created.id })),
    );
    const final = await caller.task.get({ id: created.id });
    expect(final.completed).toBe(n % 2 === 1);
    expect(final.version).toBe(created.version + n);
    expect(new Set(results.map((r) => r.version)).size).toBe(n);
  });

  it('of 10 concurrent updates with the same version exactly one wins; the others get CONFLICT', async () => {
    const created = await caller.task.create({ title: 'contested' });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        caller.task.update({ id: created.id, title: `writer ${i}`, version: created.version }),
      ),
    );
    const winners = outcomes.filter((o) => o.status === 'fulfilled');
    const losers = outcomes.filter((o) => o.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers.map((o) => (o.reason instanceof TRPCError ? o.reason.code : o.reason))).toEqual(
      Array(9).fill('CONFLICT'),
    );
    const final = await caller.task.get({ id: created.id });
    expect(final.version).toBe(created.version + 1);
    expect(final.title).toBe(winners[0]?.value.title);
  });
});
