/**
 * Manual order (issue 14, item 2 part 4; decisions D37): `task.move` and the lists that follow it,
 * on every backend: one key per move, owner-scoped, CONFLICT for stale neighbours, key growth, and
 * pagination across the new order.
 */
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client';
import { POSITION_RESPACE_LENGTH, positionBetween } from '../../db/task-position';
import { createTaskQueries, type TaskQueries } from '../../db/task-queries';
import { createTestDatabase, insertUser, testBackends } from '../../test/databases';
import { createInnerContext } from '../context';
import { createCallerFactory } from '../init';
import { appRouter } from '../router';

const createCaller = createCallerFactory(appRouter);

type User = { id: string; email: string };

async function errorCode(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe.each(testBackends)('task.move on %s', (backend) => {
  let database: DatabaseHandle;
  let tasks: TaskQueries;
  const as = (user: User) => createCaller(createInnerContext({ tasks, user }));
  const newUser = (name: string) => insertUser(database, name);

  /** The titles of the user's list, in order, reading every page. */
  async function titles(user: User, status: 'all' | 'active' | 'completed' = 'all', limit = 100) {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await as(user).task.list({ status, limit, ...(cursor && { cursor }) });
      out.push(...page.items.map((t) => t.title));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  /** Creates tasks so the list reads `names` top to bottom (each new task goes on top). */
  async function listOf(user: User, names: string[]) {
    const made: Record<string, string> = {};
    for (const name of [...names].reverse()) made[name] = (await as(user).task.create({ title: name })).id;
    expect(await titles(user)).toEqual(names);
    return made;
  }

  /** Task events of the outbox for one task, oldest first. */
  const eventsOf = async (taskId: string) =>
    (
      await database.pipeline([
        { sql: 'select type, version from task_event where task_id = $1 order by id', params: [taskId] },
      ])
    )[0] ?? [];

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    tasks = createTaskQueries(database, { role: database.appRole });
  });
  afterAll(async () => {
    await database?.close();
  });

  it("makes a new task's key from its time: a valid fractional-indexing key, later ones first", async () => {
    const [rows] = await database.pipeline([
      {
        sql: `select task_position_at('2026-12-03T10:00:00.123Z', 'V'),
          task_position_at('2026-12-03T10:00:00.124Z', 'V'), task_position_at('2026-12-03T10:00:00.123Z', '001V'), task_position_at('2026-12-03T10:00:00.123Z', '002V')`,
        params: [],
      },
    ]);
    const [at, later, firstOfMs, secondOfMs] = rows?.[0] ?? [];
    const digits = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    let n = 62 ** 8 - 1 - Date.parse('2026-12-03T10:00:00.123Z');
    let expected = '';
    for (let i = 0; i < 8; i++, n = Math.floor(n / 62)) expected = digits[n % 62] + expected;
    expect(at).toBe(`S${expected}V`);
    expect(String(later) < String(at)).toBe(true);
    // The backfill's fractions keep the order of tasks of one millisecond.
    expect(String(firstOfMs) < String(secondOfMs)).toBe(true);
    expect(positionBetween(null, String(later)) < String(later)).toBe(true);
    const between = positionBetween(String(later), String(at));
    expect(String(later) < between && between < String(at)).toBe(true);
  });

  it('puts new tasks on top, in the order they were added', async () => {
    const ann = await newUser('ann');
    await listOf(ann, ['c', 'b', 'a']);
  });

  it('moves a task between two neighbours with one key, and the order survives a fresh read', async () => {
    const ann = await newUser('ann');
    const t = await listOf(ann, ['a', 'b', 'c', 'd']);
    const before = await as(ann).task.get({ id: t.d! });
    const moved = await as(ann).task.move({ id: t.d!, after: t.a!, before: t.b! });
    expect(moved).toMatchObject({
      id: t.d,
      title: 'd',
      version: before.version,
      updatedAt: before.updatedAt,
    });
    expect(moved.position > (await as(ann).task.get({ id: t.a! })).position).toBe(true);
    expect(await titles(ann)).toEqual(['a', 'd', 'b', 'c']);
    // To the top and to the bottom.
    await as(ann).task.move({ id: t.c!, after: null, before: t.a! });
    await as(ann).task.move({ id: t.a!, after: t.b!, before: null });
    expect(await titles(ann)).toEqual(['c', 'd', 'b', 'a']);
    // `before` may be left out (the last loaded task of a longer list).
    await as(ann).task.move({ id: t.c!, after: t.b! });
    expect(await titles(ann)).toEqual(['d', 'b', 'c', 'a']);
  });

  it('writes an `updated` event without a new version, so other tabs reorder live', async () => {
    const ann = await newUser('ann');
    const t = await listOf(ann, ['a', 'b']);
    await as(ann).task.move({ id: t.b!, after: null, before: t.a! });
    expect(await eventsOf(t.b!)).toEqual([
      ['created', 1],
      ['updated', 1],
    ]);
  });

  it("refuses another user's task as FORBIDDEN and an unknown or deleted one as NOT_FOUND", async () => {
    const ann = await newUser('ann');
    const bob = await newUser('bob');
    const t = await listOf(ann, ['a', 'b']);
    const bobs = await as(bob).task.create({ title: 'bob' });
    expect(await errorCode(as(bob).task.move({ id: t.a!, after: t.b! }))).toBe('FORBIDDEN');
    expect(await errorCode(as(ann).task.move({ id: crypto.randomUUID(), after: t.b! }))).toBe('NOT_FOUND');
    await as(ann).task.delete({ id: t.b! });
    expect(await errorCode(as(ann).task.move({ id: t.b!, after: t.a! }))).toBe('NOT_FOUND');
    // Another user's task as a neighbour reveals nothing: the same answer as a deleted neighbour.
    expect(await errorCode(as(ann).task.move({ id: t.a!, after: bobs.id }))).toBe('CONFLICT');
    expect(await titles(bob)).toEqual(['bob']);
    expect((await as(bob).task.get({ id: bobs.id })).position).toBe(bobs.position);
  });

  it('is a CONFLICT when the neighbours are no longer adjacent (moved or deleted meanwhile)', async () => {
    const ann = await newUser('ann');
    const t = await listOf(ann, ['a', 'b', 'c', 'd']);
    // Another tab put d between a and b: a move "between a and b" is stale now.
    await as(ann).task.move({ id: t.d!, after: t.a!, before: t.b! });
    expect(await errorCode(as(ann).task.move({ id: t.c!, after: t.a!, before: t.b! }))).toBe('CONFLICT');
    // Neighbours given in the wrong order, a deleted neighbour, a wrong end.
    expect(await errorCode(as(ann).task.move({ id: t.c!, after: t.b!, before: t.a! }))).toBe('CONFLICT');
    expect(await errorCode(as(ann).task.move({ id: t.c!, after: null, before: t.d! }))).toBe('CONFLICT');
    expect(await errorCode(as(ann).task.move({ id: t.a!, after: t.b!, before: null }))).toBe('CONFLICT');
    await as(ann).task.delete({ id: t.b! });
    expect(await errorCode(as(ann).task.move({ id: t.c!, after: t.d!, before: t.b! }))).toBe('CONFLICT');
    expect(await titles(ann)).toEqual(['a', 'd', 'c']);
  });

  it('is safe to replay: the same move again leaves the same order', async () => {
    const ann = await newUser('ann');
    const t = await listOf(ann, ['a', 'b', 'c']);
    const move = { id: t.c!, after: t.a!, before: t.b! };
    await as(ann).task.move(move);
    await as(ann).task.move(move);
    expect(await titles(ann)).toEqual(['a', 'c', 'b']);
  });

  it('checks adjacency within the list moved in: Active skips completed tasks, and lands among them', async () => {
    const ann = await newUser('ann');
    const t = await listOf(ann, ['a', 'done', 'b', 'c']);
    await as(ann).task.update({ id: t.done!, completed: true });
    expect(await titles(ann, 'active')).toEqual(['a', 'b', 'c']);
    // In Active, a and b are next to each other; in All, "done" sits between them.
    expect(await errorCode(as(ann).task.move({ id: t.c!, after: t.a!, before: t.b! }))).toBe('CONFLICT');
    await as(ann).task.move({ id: t.c!, after: t.a!, before: t.b!, status: 'active' });
    expect(await titles(ann, 'active')).toEqual(['a', 'c', 'b']);
    expect(await titles(ann)).toEqual(['a', 'c', 'done', 'b']);
  });

  it('never gives two tasks one key, even when a hidden task sits in the gap', async () => {
    const ann = await newUser('ann');
    const t = await listOf(ann, ['a', 'h1', 'h2', 'h3', 'b']);
    for (const h of ['h1', 'h2', 'h3']) await as(ann).task.update({ id: t[h]!, completed: true });
    await as(ann).task.move({ id: t.b!, after: t.a!, before: null, status: 'active' });
    const { items } = await as(ann).task.list({ limit: 100 });
    expect(new Set(items.map((i) => i.position)).size).toBe(items.length);
  });

  it('keeps keys short over many moves into the same gap (respacing when needed)', async () => {
    const ann = await newUser('ann');
    const t = await listOf(ann, ['a', 'x', 'y', 'b']);
    // x and y take turns right below a: each move bisects the gap just under a.
    for (let i = 0; i < 400; i++) {
      const [mover, other] = i % 2 === 0 ? [t.y!, t.x!] : [t.x!, t.y!];
      await as(ann).task.move({ id: mover, after: t.a!, before: other });
    }
    expect(await titles(ann)).toEqual(['a', 'x', 'y', 'b']);
    const { items } = await as(ann).task.list({ limit: 100 });
    for (const item of items) expect(item.position.length).toBeLessThanOrEqual(POSITION_RESPACE_LENGTH);
    // A new task still goes on top after a respace.
    await as(ann).task.create({ title: 'new' });
    expect((await titles(ann))[0]).toBe('new');
  }, 120_000);

  it('pages through the manual order with the cursor, each task once', async () => {
    const ann = await newUser('ann');
    const names = Array.from({ length: 12 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    const t = await listOf(ann, names);
    // Reverse the list by moving each task to the top.
    for (const name of names) await as(ann).task.move({ id: t[name]!, after: null });
    const reversed = [...names].reverse();
    expect(await titles(ann, 'all', 5)).toEqual(reversed);
    expect(await titles(ann, 'all', 1)).toEqual(reversed);
  });

  it('refuses bad input as BAD_REQUEST, never a 500', async () => {
    const ann = await newUser('ann');
    const t = await listOf(ann, ['a', 'b']);
    const bad: unknown[] = [
      { id: t.a, after: t.a },
      { id: t.a, after: null, before: t.a },
      { id: t.a, after: t.b, before: t.b },
      { id: 'nope', after: null },
      { id: t.a },
      { id: t.a, after: null, status: 'today' },
      { id: t.a, after: null, position: 'a0' },
    ];
    for (const input of bad) {
      expect(await errorCode(as(ann).task.move(input as never))).toBe('BAD_REQUEST');
    }
    const cursor = Buffer.from(JSON.stringify(['a b', t.a])).toString('base64url');
    expect(await errorCode(as(ann).task.list({ cursor }))).toBe('BAD_REQUEST');
  });

  it('a read-only API key cannot move', async () => {
    const ann = await newUser('ann');
    const t = await listOf(ann, ['a', 'b']);
    const readOnly = createCaller(createInnerContext({ tasks, user: { ...ann, scopes: ['tasks:read'] } }));
    expect(await errorCode(readOnly.task.move({ id: t.b!, after: null }))).toBe('FORBIDDEN');
  });
});
