/**
 * Planning procedures (issue 14, item 2): mark all complete, due dates with the Today and
 * Upcoming views, search, on every backend, with isolation, validation and pagination.
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

type User = { id: string; email: string };

/** Resolves to the tRPC error code a call failed with (or fails the test if it succeeded). */
async function errorCode(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe.each(testBackends)('task planning on %s', (backend) => {
  let database: DatabaseHandle;
  let tasks: TaskQueries;
  const as = (user: User) => createCaller(createInnerContext({ tasks, user }));
  /** A fresh user per test, so each starts from an empty list. */
  const newUser = (name: string) => insertUser(database, name);

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    tasks = createTaskQueries(database, { role: database.appRole });
  });
  afterAll(async () => {
    await database?.close();
  });

  describe('setAllCompleted', () => {
    it('completes every task in one call, returning only the changed ones with their new versions', async () => {
      const ann = await newUser('ann');
      const a = await as(ann).task.create({ title: 'a' });
      const b = await as(ann).task.create({ title: 'b' });
      const done = await as(ann).task.create({ title: 'done' });
      const doneNow = await as(ann).task.toggle({ id: done.id });

      const result = await as(ann).task.setAllCompleted({ completed: true });
      expect(result.updated).toBe(2);
      expect(result.tasks.sort((x, y) => x.id.localeCompare(y.id))).toEqual(
        [
          { id: a.id, version: 2 },
          { id: b.id, version: 2 },
        ].sort((x, y) => x.id.localeCompare(y.id)),
      );
      expect(await as(ann).task.counts()).toEqual({ all: 3, active: 0, completed: 3 });
      // The task that was already completed is untouched (same version).
      expect((await as(ann).task.get({ id: done.id })).version).toBe(doneNow.version);
    });

    it('marks every task active again, and changes nothing when nothing differs', async () => {
      const ann = await newUser('ann');
      await as(ann).task.create({ title: 'a' });
      await as(ann).task.create({ title: 'b' });
      await as(ann).task.setAllCompleted({ completed: true });
      expect((await as(ann).task.setAllCompleted({ completed: false })).updated).toBe(2);
      expect(await as(ann).task.setAllCompleted({ completed: false })).toEqual({ updated: 0, tasks: [] });
      expect(await as(ann).task.counts()).toEqual({ all: 2, active: 2, completed: 0 });
    });

    it("never touches another user's tasks", async () => {
      const ann = await newUser('ann');
      const bob = await newUser('bob');
      const bobs = await as(bob).task.create({ title: 'bob keeps this active' });
      await as(ann).task.create({ title: 'ann' });
      const result = await as(ann).task.setAllCompleted({ completed: true });
      expect(result.tasks.map((t) => t.id)).not.toContain(bobs.id);
      expect(await as(bob).task.get({ id: bobs.id })).toMatchObject({ completed: false, version: 1 });
    });

    it.each([
      ['no input', undefined],
      ['a string', { completed: 'yes' }],
      ['an unknown key', { completed: true, userId: 'x' }],
    ])('refuses %s with BAD_REQUEST', async (_, input) => {
      const ann = await newUser('ann');
      await as(ann).task.create({ title: 'a' });
      // @ts-expect-error -- deliberately wrong input, as a hostile caller would send
      expect(await errorCode(as(ann).task.setAllCompleted(input))).toBe('BAD_REQUEST');
      expect(await as(ann).task.counts()).toEqual({ all: 1, active: 1, completed: 0 });
    });
  });
});
