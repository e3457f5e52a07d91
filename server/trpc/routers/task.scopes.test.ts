/**
 * Scopes at the procedure level: a token's scopes (an API key's, from its `scope` claim) decide
 * which procedures run. Every mutation needs `tasks:write`, every query `tasks:read`; a signed-in
 * person's token has both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyScope } from '../../../shared/api-key';
import type { DatabaseHandle } from '../../db/client';
import { createTaskQueries, type TaskQueries } from '../../db/task-queries';
import { refusal } from '../../test/refusal';
import { createTestDatabase, insertUser, testBackends } from '../../test/databases';
import { createInnerContext } from '../context';
import { createCallerFactory } from '../init';
import { appRouter } from '../router';

const createCaller = createCallerFactory(appRouter);

describe.each(testBackends)('task procedures and token scopes on %s', (backend) => {
  let database: DatabaseHandle;
  let tasks: TaskQueries;
  let ann: { id: string; email: string };
  const as = (scopes?: readonly ApiKeyScope[]) =>
    createCaller(createInnerContext({ tasks, user: scopes ? { ...ann, scopes } : ann }));

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    tasks = createTaskQueries(database, { role: database.appRole });
    ann = await insertUser(database, 'ann');
  });
  afterAll(async () => {
    await database?.close();
  });

  it('refuses every mutation to a read-only token with FORBIDDEN and changes nothing', async () => {
    const task = await as().task.create({ title: 'keep me' });
    const done = await as().task.create({ title: 'done' });
    await as().task.toggle({ id: done.id });
    const readOnly = as(['tasks:read']);
    const expected = {
      code: 'FORBIDDEN',
      message: 'This API key is read-only: changing tasks needs the tasks:write scope',
    };
    expect(await refusal(readOnly.task.create({ title: 'x' }))).toEqual(expected);
    expect(await refusal(readOnly.task.update({ id: task.id, title: 'x' }))).toEqual(expected);
    expect(await refusal(readOnly.task.toggle({ id: task.id }))).toEqual(expected);
    expect(await refusal(readOnly.task.delete({ id: task.id }))).toEqual(expected);
    expect(await refusal(readOnly.task.clearCompleted())).toEqual(expected);
    expect(await refusal(readOnly.task.restore({ ids: [task.id] }))).toEqual(expected);
    expect(await refusal(readOnly.task.setAllCompleted({ completed: true }))).toEqual(expected);
    expect(await refusal(readOnly.task.deleteForever({ ids: [task.id] }))).toEqual(expected);
    expect(await refusal(readOnly.task.emptyDeleted())).toEqual(expected);

    expect(await readOnly.task.get({ id: task.id })).toMatchObject({ title: 'keep me', version: 1 });
    expect(await readOnly.task.counts()).toEqual({ all: 2, active: 1, completed: 1 });
    expect((await readOnly.task.list()).items.map((t) => t.id).sort()).toEqual([task.id, done.id].sort());
  });

  it('refuses reads to a token without tasks:read, and lets it write', async () => {
    const writeOnly = as(['tasks:write']);
    const created = await writeOnly.task.create({ title: 'written blind' });
    const expected = {
      code: 'FORBIDDEN',
      message: 'This API key cannot read tasks: it lacks the tasks:read scope',
    };
    expect(await refusal(writeOnly.task.list())).toEqual(expected);
    expect(await refusal(writeOnly.task.counts())).toEqual(expected);
    expect(await refusal(writeOnly.task.get({ id: created.id }))).toEqual(expected);
    expect(await writeOnly.task.delete({ id: created.id })).toEqual({ id: created.id });
    expect(await refusal(writeOnly.task.listDeleted())).toEqual(expected);
    expect(await writeOnly.task.deleteForever({ ids: [created.id] })).toEqual({
      deleted: 1,
      ids: [created.id],
    });
  });

  it('refuses a token with no scope at all, and still says UNAUTHORIZED without a user', async () => {
    expect((await refusal(as([]).task.list())).code).toBe('FORBIDDEN');
    expect((await refusal(as([]).task.create({ title: 'x' }))).code).toBe('FORBIDDEN');
    const anonymous = createCaller(createInnerContext({ tasks, user: null }));
    expect((await refusal(anonymous.task.create({ title: 'x' }))).code).toBe('UNAUTHORIZED');
  });
});
