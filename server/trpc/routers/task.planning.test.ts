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

  describe('due dates', () => {
    it('are set on create and update, cleared with null, and returned as YYYY-MM-DD', async () => {
      const ann = await newUser('ann');
      const task = await as(ann).task.create({ title: 'Pay rent', dueOn: '2026-12-31' });
      expect(task.dueOn).toBe('2026-12-31');
      expect((await as(ann).task.get({ id: task.id })).dueOn).toBe('2026-12-31');
      expect((await as(ann).task.create({ title: 'no date' })).dueOn).toBeNull();
      const moved = await as(ann).task.update({ id: task.id, dueOn: '2027-01-02', version: task.version });
      expect(moved).toMatchObject({ dueOn: '2027-01-02', version: 2 });
      expect((await as(ann).task.update({ id: task.id, dueOn: null })).dueOn).toBeNull();
      // A leap day exists in 2028.
      expect((await as(ann).task.create({ title: 'leap', dueOn: '2028-02-29' })).dueOn).toBe('2028-02-29');
    });

    it.each([
      ['a time', '2026-12-31T10:00:00Z'],
      ['no leap day', '2027-02-29'],
      ['month 13', '2026-13-01'],
      ['a day/month/year date', '31/12/2026'],
      ['the year 0000', '0000-01-01'],
      ['a number', 20261231],
    ])('refuses %s as a due date with BAD_REQUEST', async (_, dueOn) => {
      const ann = await newUser('ann');
      // @ts-expect-error -- deliberately wrong input, as a hostile caller would send
      expect(await errorCode(as(ann).task.create({ title: 'x', dueOn }))).toBe('BAD_REQUEST');
      expect((await as(ann).task.list()).items).toEqual([]);
    });

    it('an idempotent retry with another due date is CONFLICT', async () => {
      const ann = await newUser('ann');
      const idempotencyKey = '7d7b1a52-6e2a-4c1b-9d0e-1f2a3b4c5d6e';
      await as(ann).task.create({ title: 'x', dueOn: '2026-12-01', idempotencyKey });
      expect(await as(ann).task.create({ title: 'x', dueOn: '2026-12-01', idempotencyKey })).toMatchObject({
        dueOn: '2026-12-01',
      });
      expect(await errorCode(as(ann).task.create({ title: 'x', dueOn: '2026-12-02', idempotencyKey }))).toBe(
        'CONFLICT',
      );
    });
  });

  describe('Today and Upcoming views', () => {
    /** Ann's tasks around "today" = 2026-12-03, and one of Bob's due today. */
    async function planned() {
      const ann = await newUser('ann');
      const bob = await newUser('bob');
      const make = (title: string, dueOn: string | null) => as(ann).task.create({ title, dueOn });
      await make('overdue', '2026-11-20');
      await make('today', '2026-12-03');
      const doneToday = await make('done today', '2026-12-03');
      await as(ann).task.toggle({ id: doneToday.id });
      await make('tomorrow', '2026-12-04');
      await make('next year', '2027-01-15');
      await make('someday', null);
      await as(bob).task.create({ title: 'bob today', dueOn: '2026-12-03' });
      return { ann, bob };
    }
    const titles = (page: { items: { title: string }[] }) => page.items.map((t) => t.title);

    it('Today is due today or overdue and not completed, earliest first; Upcoming is after today', async () => {
      const { ann } = await planned();
      expect(titles(await as(ann).task.list({ due: 'today', today: '2026-12-03' }))).toEqual([
        'overdue',
        'today',
      ]);
      expect(titles(await as(ann).task.list({ due: 'upcoming', today: '2026-12-03' }))).toEqual([
        'tomorrow',
        'next year',
      ]);
    });

    it("uses the caller's date, not the server's clock: the same tasks on the next day", async () => {
      const { ann } = await planned();
      // Ahead of the server (a person in UTC+14) or behind it: only the date sent counts.
      expect(titles(await as(ann).task.list({ due: 'today', today: '2026-12-04' }))).toEqual([
        'overdue',
        'today',
        'tomorrow',
      ]);
      expect(titles(await as(ann).task.list({ due: 'today', today: '2026-11-19' }))).toEqual([]);
    });

    it("never shows another user's tasks", async () => {
      const { bob } = await planned();
      expect(titles(await as(bob).task.list({ due: 'today', today: '2026-12-03' }))).toEqual(['bob today']);
      expect(titles(await as(bob).task.list({ due: 'upcoming', today: '2026-12-03' }))).toEqual([]);
    });

    it('pages with a cursor without gaps or duplicates, also across equal due dates', async () => {
      const ann = await newUser('ann');
      for (let i = 0; i < 7; i++) {
        await as(ann).task.create({ title: `t${i}`, dueOn: i < 4 ? '2026-12-10' : `2026-12-1${i}` });
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await as(ann).task.list({ due: 'upcoming', today: '2026-12-03', limit: 3, cursor });
        seen.push(...titles(page));
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen.toSorted()).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
      expect(seen.slice(4)).toEqual(['t4', 't5', 't6']);
    });

    it.each([
      ['a due view without today', { due: 'today' }],
      ['a bad today', { due: 'today', today: '2026-02-30' }],
      ['a due view of completed tasks', { due: 'today', today: '2026-12-03', status: 'completed' }],
      ['an unknown view', { due: 'someday', today: '2026-12-03' }],
      [
        'a created-at cursor in a due view',
        {
          due: 'today',
          today: '2026-12-03',
          cursor: Buffer.from(
            JSON.stringify(['2026-12-03T00:00:00.000Z', '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f']),
          ).toString('base64url'),
        },
      ],
    ])('refuses %s with BAD_REQUEST', async (_, input) => {
      const ann = await newUser('ann');
      // @ts-expect-error -- deliberately wrong input, as a hostile caller would send
      expect(await errorCode(as(ann).task.list(input))).toBe('BAD_REQUEST');
    });
  });

  describe('search', () => {
    async function library() {
      const ann = await newUser('ann');
      const bob = await newUser('bob');
      await as(ann).task.create({ title: 'Buy milk', description: 'Oat milk from the corner shop' });
      await as(ann).task.create({ title: 'Call the plumber', description: 'About the kitchen sink' });
      await as(ann).task.create({ title: 'Milkshake recipe' });
      const done = await as(ann).task.create({ title: 'Return library books', description: 'Due Friday' });
      await as(ann).task.toggle({ id: done.id });
      await as(ann).task.create({ title: 'Crème brûlée', description: 'Für Oma' });
      await as(bob).task.create({ title: 'Bob buys milk too' });
      return { ann, bob };
    }
    const titles = (page: { items: { title: string }[] }) => page.items.map((t) => t.title);

    it('finds by title and by description, case-insensitively, newest first', async () => {
      const { ann } = await library();
      expect(titles(await as(ann).task.list({ search: 'KITCHEN' }))).toEqual(['Call the plumber']);
      expect(titles(await as(ann).task.list({ search: 'corner shop' }))).toEqual(['Buy milk']);
      expect(titles(await as(ann).task.list({ search: 'books' }))).toEqual(['Return library books']);
    });

    it('matches the last word as a prefix (search as you type), the others as whole words', async () => {
      const { ann } = await library();
      expect(titles(await as(ann).task.list({ search: 'mil' }))).toEqual(['Milkshake recipe', 'Buy milk']);
      expect(titles(await as(ann).task.list({ search: 'milk' }))).toEqual(['Milkshake recipe', 'Buy milk']);
      expect(titles(await as(ann).task.list({ search: 'oat mi' }))).toEqual(['Buy milk']);
      // Every word must match.
      expect(titles(await as(ann).task.list({ search: 'oat plumb' }))).toEqual([]);
      // "mil" is not a whole word of any task: only the last word is a prefix.
      expect(titles(await as(ann).task.list({ search: 'mil oat' }))).toEqual([]);
    });

    it('handles accents, punctuation and tsquery syntax as plain text', async () => {
      const { ann } = await library();
      expect(titles(await as(ann).task.list({ search: 'crème' }))).toEqual(['Crème brûlée']);
      expect(titles(await as(ann).task.list({ search: 'für o' }))).toEqual(['Crème brûlée']);
      for (const odd of ["milk' | 'x", 'milk & !', 'milk:*', '(milk)', 'milk\\', "o'at"]) {
        await expect(as(ann).task.list({ search: odd })).resolves.toBeDefined();
      }
      expect(titles(await as(ann).task.list({ search: '!(milk)' }))).toEqual([
        'Milkshake recipe',
        'Buy milk',
      ]);
      // Nothing to search for: the plain list.
      expect((await as(ann).task.list({ search: '  &|!  ' })).items).toHaveLength(5);
    });

    it('combines with the status filter and with the due views', async () => {
      const { ann } = await library();
      expect(titles(await as(ann).task.list({ search: 'books', status: 'active' }))).toEqual([]);
      expect(titles(await as(ann).task.list({ search: 'books', status: 'completed' }))).toEqual([
        'Return library books',
      ]);
      await as(ann).task.create({ title: 'Milk the cow', dueOn: '2026-12-01' });
      expect(titles(await as(ann).task.list({ search: 'milk', due: 'today', today: '2026-12-03' }))).toEqual([
        'Milk the cow',
      ]);
    });

    it("never finds another user's tasks", async () => {
      const { ann, bob } = await library();
      expect(titles(await as(bob).task.list({ search: 'milk' }))).toEqual(['Bob buys milk too']);
      expect(titles(await as(ann).task.list({ search: 'bob' }))).toEqual([]);
    });

    it('pages through the results with the cursor', async () => {
      const ann = await newUser('ann');
      for (let i = 0; i < 5; i++) await as(ann).task.create({ title: `report ${i}` });
      await as(ann).task.create({ title: 'unrelated' });
      // The list's own order (newest first, ties within a millisecond by id), reports only.
      const expected = titles(await as(ann).task.list({ limit: 100 })).filter((t) => t.startsWith('report'));
      const first = await as(ann).task.list({ search: 'rep', limit: 3 });
      expect(titles(first)).toEqual(expected.slice(0, 3));
      const second = await as(ann).task.list({
        search: 'rep',
        limit: 3,
        cursor: first.nextCursor ?? undefined,
      });
      expect(titles(second)).toEqual(expected.slice(3));
      expect(expected).toHaveLength(5);
      expect(second.nextCursor).toBeNull();
    });

    it('keeps the search in step with edits of the title and description', async () => {
      const ann = await newUser('ann');
      const task = await as(ann).task.create({ title: 'Draft' });
      await as(ann).task.update({ id: task.id, description: 'quarterly numbers' });
      expect(titles(await as(ann).task.list({ search: 'quarter' }))).toEqual(['Draft']);
      await as(ann).task.update({ id: task.id, description: null, title: 'Final' });
      expect(titles(await as(ann).task.list({ search: 'quarter' }))).toEqual([]);
    });

    it('refuses a search over 100 characters and a non-string with BAD_REQUEST', async () => {
      const ann = await newUser('ann');
      expect(await errorCode(as(ann).task.list({ search: 'x'.repeat(101) }))).toBe('BAD_REQUEST');
      // @ts-expect-error -- deliberately wrong input, as a hostile caller would send
      expect(await errorCode(as(ann).task.list({ search: ['milk'] }))).toBe('BAD_REQUEST');
      expect((await as(ann).task.list({ search: 'x'.repeat(100) })).items).toEqual([]);
    });
  });
});
