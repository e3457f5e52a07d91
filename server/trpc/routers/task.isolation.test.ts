/**
 * Property-based isolation: random interleavings of several users doing random operations,
 * often on each other's task ids. After every step, each user's view equals a model built
 * from that user's own successful operations only.
 */
import { TRPCError } from '@trpc/server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client';
import { createTaskQueries, type TaskQueries } from '../../db/task-queries';
import { createTestDatabase, insertUser, testBackends } from '../../test/databases';
import { createInnerContext } from '../context';
import { createCallerFactory } from '../init';
import { appRouter } from '../router';

const createCaller = createCallerFactory(appRouter);
const USERS = 3;

type ModelTask = { title: string; completed: boolean };

const operation = fc.record({
  user: fc.nat({ max: USERS - 1 }),
  kind: fc.constantFrom(
    'create',
    'update',
    'toggle',
    'delete',
    'get',
    'clearCompleted',
    'restore',
    'setAllCompleted',
    'deleteForever',
  ),
  /** Index into every id created so far, by anyone: most picks are someone else's. */
  target: fc.nat(),
  title: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim().length > 0),
});

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

describe.each(testBackends)('isolation between users (%s)', (backend) => {
  let database: DatabaseHandle;
  let tasks: TaskQueries;
  let steps = 0;

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    tasks = createTaskQueries(database, { role: database.appRole });
  });
  afterAll(async () => {
    await database?.close();
    console.info(`isolation (${backend}): ${steps} random operations checked`);
  });

  it('every user sees exactly their own operations, whatever the others do', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 10, maxLength: 30 }), async (ops) => {
        const users = await Promise.all(
          Array.from({ length: USERS }, (_, i) => insertUser(database, `p${i}`)),
        );
        const callers = users.map((user) => createCaller(createInnerContext({ tasks, user })));
        const models = users.map(() => new Map<string, ModelTask>());
        const owners = new Map<string, number>();
        /** Deleted tasks (restorable by their owner only): id -> owner and the task as it was. */
        const trash = new Map<string, { owner: number; task: ModelTask }>();
        const ids: string[] = [];

        for (const op of ops) {
          steps++;
          const caller = callers[op.user]!;
          const model = models[op.user]!;
          const id = ids.length > 0 ? ids[op.target % ids.length]! : '00000000-0000-4000-8000-000000000000';
          const owner = owners.get(id);
          const mine = owner === op.user;
          const expectedMiss = owner === undefined ? 'NOT_FOUND' : 'FORBIDDEN';

          if (op.kind === 'create') {
            const created = await caller.task.create({ title: op.title });
            ids.push(created.id);
            owners.set(created.id, op.user);
            model.set(created.id, { title: created.title, completed: false });
          } else if (op.kind === 'update') {
            const code = await codeOf(caller.task.update({ id, title: op.title }));
            expect(code).toBe(mine ? 'OK' : expectedMiss);
            if (mine) model.set(id, { ...model.get(id)!, title: op.title.trim() });
          } else if (op.kind === 'toggle') {
            const code = await codeOf(caller.task.toggle({ id }));
            expect(code).toBe(mine ? 'OK' : expectedMiss);
            if (mine) model.set(id, { ...model.get(id)!, completed: !model.get(id)!.completed });
          } else if (op.kind === 'delete') {
            const code = await codeOf(caller.task.delete({ id }));
            expect(code).toBe(mine ? 'OK' : expectedMiss);
            if (mine) {
              trash.set(id, { owner: op.user, task: model.get(id)! });
              model.delete(id);
              owners.delete(id);
            }
          } else if (op.kind === 'clearCompleted') {
            const done = [...model].filter(([, t]) => t.completed).map(([taskId]) => taskId);
            const cleared = await caller.task.clearCompleted();
            expect([...cleared.ids].sort()).toEqual(done.sort());
            for (const taskId of done) {
              trash.set(taskId, { owner: op.user, task: model.get(taskId)! });
              model.delete(taskId);
              owners.delete(taskId);
            }
          } else if (op.kind === 'restore') {
            // Another user's task, live or deleted, is simply not found: restore reveals nothing.
            const deleted = trash.get(id);
            const restorable = deleted?.owner === op.user;
            expect(await codeOf(caller.task.restore({ ids: [id] }))).toBe(
              mine || restorable ? 'OK' : 'NOT_FOUND',
            );
            if (restorable) {
              model.set(id, deleted.task);
              owners.set(id, op.user);
              trash.delete(id);
            }
          } else if (op.kind === 'deleteForever') {
            // Only the owner's deleted task goes; anything else (live, another's) is not found.
            const deleted = trash.get(id);
            const removable = deleted?.owner === op.user;
            expect(await codeOf(caller.task.deleteForever({ ids: [id] }))).toBe(
              removable ? 'OK' : 'NOT_FOUND',
            );
            if (removable) trash.delete(id);
          } else if (op.kind === 'setAllCompleted') {
            // The title's length decides the direction, so both happen.
            const completed = op.title.length % 2 === 0;
            const changed = [...model].filter(([, t]) => t.completed !== completed).map(([taskId]) => taskId);
            const result = await caller.task.setAllCompleted({ completed });
            expect(result.tasks.map((t) => t.id).sort()).toEqual(changed.sort());
            for (const taskId of changed) model.set(taskId, { ...model.get(taskId)!, completed });
          } else {
            expect(await codeOf(caller.task.get({ id }))).toBe(mine ? 'OK' : expectedMiss);
          }

          for (const [i, c] of callers.entries()) {
            const view = (await c.task.list({ limit: 100 })).items;
            const expected = models[i]!;
            expect(view.length).toBe(expected.size);
            for (const t of view) {
              expect(t.userId).toBe(users[i]!.id);
              expect({ title: t.title, completed: t.completed }).toEqual(expected.get(t.id));
            }
            const deletedView = (await c.task.listDeleted({ limit: 100 })).items.map((t) => t.id);
            const ownTrash = [...trash].filter(([, d]) => d.owner === i).map(([taskId]) => taskId);
            expect(deletedView.sort()).toEqual(ownTrash.sort());
            const completed = [...expected.values()].filter((t) => t.completed).length;
            expect(await c.task.counts()).toEqual({
              all: expected.size,
              active: expected.size - completed,
              completed,
            });
          }
        }
      }),
      { numRuns: backend === 'pglite' ? 50 : 30 },
    );
    // ~1,000 operations: seconds on a quiet machine, more when CI runs the browser tests beside it.
  }, 120_000);
});
