import { randomUUID } from 'node:crypto';
import type { inferProcedureInput } from '@trpc/server';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client';
import { createTaskQueries, type TaskQueries } from '../../db/task-queries';
import { createTestDatabase, insertUser, testBackends } from '../../test/databases';
import { createInnerContext } from '../context';
import { createCallerFactory } from '../init';
import { appRouter, type AppRouter } from '../router';

const createCaller = createCallerFactory(appRouter);

/** A cursor as the server encoded one before the manual order (D37): a timestamp. Refused now. */
const cursorAt = (createdAt: string) =>
  Buffer.from(JSON.stringify([createdAt, '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f'])).toString('base64url');

/** A cursor as the server encodes one, for a chosen position key. */
const cursorAfter = (position: string) =>
  Buffer.from(JSON.stringify([position, '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f'])).toString('base64url');

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

describe.each(testBackends)('task procedures on %s', (backend) => {
  let database: DatabaseHandle;
  let tasks: TaskQueries;
  let ann: { id: string; email: string };
  let bob: { id: string; email: string };
  const as = (user: { id: string; email: string } | null) =>
    createCaller(createInnerContext({ tasks, user }));

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    tasks = createTaskQueries(database, { role: database.appRole });
    ann = await insertUser(database, 'ann');
    bob = await insertUser(database, 'bob');
  });
  afterAll(async () => {
    await database?.close();
  });

  describe('create', () => {
    it('stores a trimmed title, null description, version 1 and ISO dates', async () => {
      const input: inferProcedureInput<AppRouter['task']['create']> = { title: '  Buy milk  ' };
      const task = await as(ann).task.create(input);
      expect(task).toMatchObject({
        userId: ann.id,
        title: 'Buy milk',
        description: null,
        completed: false,
        version: 1,
      });
      expect(task.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new Date(task.createdAt).toISOString()).toBe(task.createdAt);
      expect(task.updatedAt).toBe(task.createdAt);
    });

    it('keeps a description and turns a blank one into null', async () => {
      expect((await as(ann).task.create({ title: 'a', description: ' notes ' })).description).toBe('notes');
      expect((await as(ann).task.create({ title: 'b', description: '   ' })).description).toBeNull();
    });

    it('counts title length in characters (code points), 500 at most', async () => {
      const emoji = '🙂'.repeat(500);
      expect((await as(ann).task.create({ title: emoji })).title).toBe(emoji);
      expect(await errorCode(as(ann).task.create({ title: 'x'.repeat(501) }))).toBe('BAD_REQUEST');
      expect(await errorCode(as(ann).task.create({ title: 'd', description: 'x'.repeat(5001) }))).toBe(
        'BAD_REQUEST',
      );
    });

    it.each([
      ['an empty title', { title: '' }],
      ['a blank title', { title: '   ' }],
      ['a NUL byte', { title: 'a\u0000b' }],
      ['a lone surrogate', { title: 'a\ud800b' }],
      ['a number title', { title: 42 }],
      ['an owner (mass assignment)', { title: 'x', userId: 'someone-else' }],
      ['an id (mass assignment)', { title: 'x', id: '00000000-0000-4000-8000-000000000000' }],
      ['timestamps (mass assignment)', { title: 'x', createdAt: '2000-01-01T00:00:00.000Z' }],
    ])('refuses %s with BAD_REQUEST', async (_, input) => {
      const before = await as(ann).task.list({ limit: 100 });
      // @ts-expect-error -- deliberately wrong input, as a hostile caller would send
      expect(await errorCode(as(ann).task.create(input))).toBe('BAD_REQUEST');
      expect(await as(ann).task.list({ limit: 100 })).toEqual(before);
    });

    it('refuses a user that no longer exists (still-valid token) with UNAUTHORIZED', async () => {
      expect(
        await errorCode(as({ id: 'deleted-user', email: 'gone@example.com' }).task.create({ title: 'x' })),
      ).toBe('UNAUTHORIZED');
    });
  });

  describe('create with an idempotency key', () => {
    const titlesOf = async (user: { id: string; email: string }) =>
      (await as(user).task.list({ limit: 100 })).items.map((t) => t.title);

    it('a retry with the same key returns the first task and stores no second one', async () => {
      const idempotencyKey = randomUUID();
      const first = await as(ann).task.create({ title: 'Pay rent', idempotencyKey });
      const retry = await as(ann).task.create({ title: 'Pay rent', idempotencyKey });
      expect(retry).toEqual(first);
      expect((await titlesOf(ann)).filter((t) => t === 'Pay rent')).toHaveLength(1);
    });

    it('concurrent duplicates create exactly one task and all get it', async () => {
      const idempotencyKey = randomUUID();
      const answers = await Promise.all(
        Array.from({ length: 12 }, () =>
          as(ann).task.create({ title: 'Racing create', description: 'same request', idempotencyKey }),
        ),
      );
      expect(new Set(answers.map((t) => t.id)).size).toBe(1);
      expect((await titlesOf(ann)).filter((t) => t === 'Racing create')).toHaveLength(1);
    });

    it('a key reused for a different task is CONFLICT, and nothing is stored for it', async () => {
      const idempotencyKey = randomUUID();
      await as(ann).task.create({ title: 'Original', idempotencyKey });
      expect(await errorCode(as(ann).task.create({ title: 'Something else', idempotencyKey }))).toBe(
        'CONFLICT',
      );
      expect(
        await errorCode(
          as(ann).task.create({ title: 'Original', description: 'now with text', idempotencyKey }),
        ),
      ).toBe('CONFLICT');
      expect(await titlesOf(ann)).not.toContain('Something else');
    });

    it("one user's key is no other user's: the same key makes each their own task", async () => {
      const idempotencyKey = randomUUID();
      const mine = await as(ann).task.create({ title: 'Shared key', idempotencyKey });
      const theirs = await as(bob).task.create({ title: 'Shared key', idempotencyKey });
      expect(theirs.id).not.toBe(mine.id);
      expect(theirs.userId).toBe(bob.id);
    });

    it('refuses a key that is not a UUID', async () => {
      expect(await errorCode(as(ann).task.create({ title: 'x', idempotencyKey: 'retry-1' }))).toBe(
        'BAD_REQUEST',
      );
    });
  });

  describe('authentication', () => {
    it.each([
      'list',
      'counts',
      'get',
      'create',
      'update',
      'toggle',
      'delete',
      'clearCompleted',
      'restore',
      'listDeleted',
      'deleteForever',
      'emptyDeleted',
    ] as const)('%s without a user is UNAUTHORIZED', async (procedure) => {
      const anonymous = as(null).task;
      const id = '00000000-0000-4000-8000-000000000000';
      const calls = {
        list: () => anonymous.list(),
        counts: () => anonymous.counts(),
        clearCompleted: () => anonymous.clearCompleted(),
        get: () => anonymous.get({ id }),
        create: () => anonymous.create({ title: 'x' }),
        update: () => anonymous.update({ id, title: 'x' }),
        toggle: () => anonymous.toggle({ id }),
        delete: () => anonymous.delete({ id }),
        restore: () => anonymous.restore({ ids: [id] }),
        listDeleted: () => anonymous.listDeleted(),
        deleteForever: () => anonymous.deleteForever({ ids: [id] }),
        emptyDeleted: () => anonymous.emptyDeleted(),
      };
      expect(await errorCode(calls[procedure]())).toBe('UNAUTHORIZED');
    });
  });

  describe('get', () => {
    it('returns the owner their task', async () => {
      const created = await as(ann).task.create({ title: 'mine' });
      expect(await as(ann).task.get({ id: created.id })).toEqual(created);
    });

    it('is FORBIDDEN for another user, NOT_FOUND for a missing id, BAD_REQUEST for a non-UUID', async () => {
      const created = await as(ann).task.create({ title: 'private' });
      expect(await errorCode(as(bob).task.get({ id: created.id }))).toBe('FORBIDDEN');
      expect(await errorCode(as(ann).task.get({ id: '00000000-0000-4000-8000-000000000000' }))).toBe(
        'NOT_FOUND',
      );
      expect(await errorCode(as(ann).task.get({ id: "1' or '1'='1" }))).toBe('BAD_REQUEST');
    });
  });

  describe('update', () => {
    it('changes the given fields, bumps the version and updatedAt', async () => {
      const created = await as(ann).task.create({ title: 'draft', description: 'x' });
      const updated = await as(ann).task.update({ id: created.id, title: ' final ', version: 1 });
      expect(updated).toMatchObject({ title: 'final', description: 'x', completed: false, version: 2 });
      expect(updated.createdAt).toBe(created.createdAt);
      expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
      const cleared = await as(ann).task.update({ id: created.id, description: null, completed: true });
      expect(cleared).toMatchObject({ title: 'final', description: null, completed: true, version: 3 });
    });

    it('is CONFLICT on a stale version and writes nothing', async () => {
      const created = await as(ann).task.create({ title: 'v1' });
      await as(ann).task.update({ id: created.id, title: 'v2', version: 1 });
      expect(await errorCode(as(ann).task.update({ id: created.id, title: 'lost', version: 1 }))).toBe(
        'CONFLICT',
      );
      expect(await as(ann).task.get({ id: created.id })).toMatchObject({ title: 'v2', version: 2 });
    });

    it("is FORBIDDEN on another user's task and leaves the row unchanged", async () => {
      const created = await as(ann).task.create({ title: 'ann owns this' });
      expect(await errorCode(as(bob).task.update({ id: created.id, title: 'bob was here' }))).toBe(
        'FORBIDDEN',
      );
      expect(await errorCode(as(bob).task.update({ id: created.id, title: 'x', version: 1 }))).toBe(
        'FORBIDDEN',
      );
      expect(await as(ann).task.get({ id: created.id })).toEqual(created);
    });

    it('is NOT_FOUND for a missing task and BAD_REQUEST with nothing to change or unknown keys', async () => {
      const created = await as(ann).task.create({ title: 't' });
      expect(
        await errorCode(as(ann).task.update({ id: '00000000-0000-4000-8000-000000000000', title: 'x' })),
      ).toBe('NOT_FOUND');
      expect(await errorCode(as(ann).task.update({ id: created.id }))).toBe('BAD_REQUEST');
      // @ts-expect-error -- userId is not an input: nobody can give a task away
      expect(await errorCode(as(ann).task.update({ id: created.id, title: 'x', userId: bob.id }))).toBe(
        'BAD_REQUEST',
      );
      expect(await as(ann).task.get({ id: created.id })).toEqual(created);
    });
  });

  describe('toggle', () => {
    it('flips completed atomically, even when called concurrently', async () => {
      const created = await as(ann).task.create({ title: 'flip' });
      expect(await as(ann).task.toggle({ id: created.id })).toMatchObject({ completed: true, version: 2 });
      await Promise.all(Array.from({ length: 10 }, () => as(ann).task.toggle({ id: created.id })));
      // 11 flips in all: an odd number, whatever the interleaving.
      expect(await as(ann).task.get({ id: created.id })).toMatchObject({ completed: true, version: 12 });
    });

    it("is FORBIDDEN on another user's task and NOT_FOUND on a missing one", async () => {
      const created = await as(ann).task.create({ title: 'not yours' });
      expect(await errorCode(as(bob).task.toggle({ id: created.id }))).toBe('FORBIDDEN');
      expect(await as(ann).task.get({ id: created.id })).toEqual(created);
      expect(await errorCode(as(ann).task.toggle({ id: '00000000-0000-4000-8000-000000000000' }))).toBe(
        'NOT_FOUND',
      );
    });
  });

  describe('delete', () => {
    it('removes the task; a second delete is NOT_FOUND', async () => {
      const created = await as(ann).task.create({ title: 'bye' });
      expect(await as(ann).task.delete({ id: created.id })).toEqual({ id: created.id });
      expect(await errorCode(as(ann).task.get({ id: created.id }))).toBe('NOT_FOUND');
      expect(await errorCode(as(ann).task.delete({ id: created.id }))).toBe('NOT_FOUND');
    });

    it("is FORBIDDEN on another user's task, which survives", async () => {
      const created = await as(ann).task.create({ title: 'keep me' });
      expect(await errorCode(as(bob).task.delete({ id: created.id }))).toBe('FORBIDDEN');
      expect(await as(ann).task.get({ id: created.id })).toEqual(created);
    });
  });

  describe('list', () => {
    let carol: { id: string; email: string };
    let titles: string[];

    beforeAll(async () => {
      carol = await insertUser(database, 'carol');
      titles = [];
      // Created one by one, a few milliseconds apart, so "newest first" has one right answer.
      for (let i = 0; i < 7; i++) {
        await new Promise((resolve) => setTimeout(resolve, 3));
        const t = await as(carol).task.create({ title: `task ${i}` });
        if (i % 3 === 0) await as(carol).task.toggle({ id: t.id });
        titles.push(t.title);
      }
      await as(bob).task.create({ title: "bob's, never in carol's list" });
    });

    it('returns only my tasks, newest first, with a default page size', async () => {
      const page = await as(carol).task.list();
      expect(page.items.map((t) => t.title)).toEqual([...titles].reverse());
      expect(page.items.every((t) => t.userId === carol.id)).toBe(true);
      expect(page.nextCursor).toBeNull();
    });

    it('pages through every task exactly once with the cursor', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await as(carol).task.list({ limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((t) => t.title));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([...titles].reverse());
    });

    it('filters by status, also across pages', async () => {
      const completed = await as(carol).task.list({ status: 'completed' });
      expect(completed.items.map((t) => t.title)).toEqual(['task 6', 'task 3', 'task 0']);
      const firstActive = await as(carol).task.list({ status: 'active', limit: 2 });
      expect(firstActive.items.map((t) => t.title)).toEqual(['task 5', 'task 4']);
      const nextActive = await as(carol).task.list({
        status: 'active',
        limit: 2,
        cursor: firstActive.nextCursor ?? '',
      });
      expect(nextActive.items.map((t) => t.title)).toEqual(['task 2', 'task 1']);
      expect(nextActive.nextCursor).toBeNull();
    });

    it("keeps a stable order when tasks share a timestamp, and someone else's cursor shows nothing of theirs", async () => {
      const dave = await insertUser(database, 'dave');
      const created = await Promise.all(
        Array.from({ length: 6 }, (_, i) => as(dave).task.create({ title: `same ${i}` })),
      );
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<ReturnType<typeof as>['task']['list']>> = await as(dave).task.list({
          limit: 4,
          ...(cursor ? { cursor } : {}),
        });
        seen.push(...page.items.map((t) => t.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect([...seen].sort()).toEqual(created.map((t) => t.id).sort());
      expect(new Set(seen).size).toBe(6);
    });

    it("accepts tRPC's forward direction (infinite queries send it) and refuses backward paging", async () => {
      const first = await as(carol).task.list({ limit: 3, direction: 'forward' });
      expect(first).toEqual(await as(carol).task.list({ limit: 3 }));
      const next = await as(carol).task.list({
        limit: 3,
        cursor: first.nextCursor ?? '',
        direction: 'forward',
      });
      expect(next.items.map((t) => t.title)).toEqual(['task 3', 'task 2', 'task 1']);
      const backward = { cursor: first.nextCursor ?? '', direction: 'backward' } as const;
      // @ts-expect-error -- the API pages forward only
      expect(await errorCode(as(carol).task.list(backward))).toBe('BAD_REQUEST');
    });

    it.each([
      ['a limit of 0', { limit: 0 }],
      ['a limit over 100', { limit: 101 }],
      ['an unknown status', { status: 'done' }],
      ['a garbage cursor', { cursor: 'not-a-cursor' }],
      ['a forged cursor', { cursor: Buffer.from('["yesterday","x"]').toString('base64url') }],
      // Well formed for zod, but PostgreSQL has no year 0: this was a 500.
      ['a cursor in the year 0000', { cursor: cursorAt('0000-01-01T00:00:00Z') }],
      ['a cursor on 0000-02-29', { cursor: cursorAt('0000-02-29T23:59:59.999Z') }],
      ['an unknown key', { owner: 'x' }],
      ['backward paging', { direction: 'backward' }],
      ['an unknown direction', { direction: 'sideways' }],
    ])('refuses %s with BAD_REQUEST', async (_, input) => {
      // @ts-expect-error -- deliberately wrong input
      expect(await errorCode(as(carol).task.list(input))).toBe('BAD_REQUEST');
    });

    it('pages from the smallest and the largest keys the cursor format allows', async () => {
      const latest = await as(carol).task.list({ cursor: cursorAfter('00') });
      expect(latest.items.length).toBeGreaterThan(0);
      expect((await as(carol).task.list({ cursor: cursorAfter('z'.repeat(100)) })).items).toEqual([]);
    });
  });

  describe('counts and clearCompleted', () => {
    let erin: { id: string; email: string };
    let frank: { id: string; email: string };

    /** A user with `active` open tasks and `completed` done ones; returns the done ones' ids. */
    async function give(user: { id: string; email: string }, active: number, completed: number) {
      for (let i = 0; i < active; i++) await as(user).task.create({ title: `open ${i}` });
      const done: string[] = [];
      for (let i = 0; i < completed; i++) {
        const t = await as(user).task.create({ title: `done ${i}` });
        await as(user).task.update({ id: t.id, completed: true });
        done.push(t.id);
      }
      return done;
    }

    beforeAll(async () => {
      erin = await insertUser(database, 'erin');
      frank = await insertUser(database, 'frank');
    });

    it('counts zero for a user without tasks', async () => {
      const nobody = await insertUser(database, 'nobody');
      expect(await as(nobody).task.counts()).toEqual({ all: 0, active: 0, completed: 0 });
      expect(await as(nobody).task.clearCompleted()).toEqual({ deleted: 0, ids: [] });
    });

    it("counts only the caller's tasks and clears only the caller's completed ones", async () => {
      const erinDone = await give(erin, 3, 2);
      const frankDone = await give(frank, 1, 4);
      const frankBefore = await as(frank).task.list({ limit: 100 });
      expect(await as(erin).task.counts()).toEqual({ all: 5, active: 3, completed: 2 });
      expect(await as(frank).task.counts()).toEqual({ all: 5, active: 1, completed: 4 });

      const cleared = await as(erin).task.clearCompleted();
      expect(cleared.deleted).toBe(2);
      expect([...cleared.ids].sort()).toEqual([...erinDone].sort());
      expect(await as(erin).task.counts()).toEqual({ all: 3, active: 3, completed: 0 });
      expect((await as(erin).task.list({ status: 'completed' })).items).toEqual([]);
      for (const id of erinDone) expect(await errorCode(as(erin).task.get({ id }))).toBe('NOT_FOUND');

      // Frank's completed tasks are still there, still counted.
      expect(await as(frank).task.list({ limit: 100 })).toEqual(frankBefore);
      expect(await as(frank).task.counts()).toEqual({ all: 5, active: 1, completed: 4 });
      expect(frankDone).toHaveLength(4);

      expect(await as(erin).task.clearCompleted({})).toEqual({ deleted: 0, ids: [] });
    });

    it('follows create, toggle and delete', async () => {
      const gina = await insertUser(database, 'gina');
      const t = await as(gina).task.create({ title: 'g' });
      expect(await as(gina).task.counts()).toEqual({ all: 1, active: 1, completed: 0 });
      await as(gina).task.toggle({ id: t.id });
      expect(await as(gina).task.counts()).toEqual({ all: 1, active: 0, completed: 1 });
      await as(gina).task.delete({ id: t.id });
      expect(await as(gina).task.counts()).toEqual({ all: 0, active: 0, completed: 0 });
    });

    it('refuses unknown keys with BAD_REQUEST and deletes nothing', async () => {
      const before = await as(frank).task.counts();
      // @ts-expect-error -- no input is taken: nobody can clear someone else's tasks
      expect(await errorCode(as(frank).task.clearCompleted({ userId: erin.id }))).toBe('BAD_REQUEST');
      // @ts-expect-error -- deliberately wrong input
      expect(await errorCode(as(frank).task.counts({ status: 'active' }))).toBe('BAD_REQUEST');
      expect(await as(frank).task.counts()).toEqual(before);
    });
  });
});
