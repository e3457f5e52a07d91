/**
 * The planning inputs (issue 14, item 2) over the real server: plain JSON as curl sends it, the
 * status codes and shapes api.md promises, and another user's token seeing none of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../test/databases';
import { getToken, signUp, startTestServer, type TestServer } from '../test/server';

interface Envelope<T> {
  result?: { data: T };
  error?: { message: string; code: number; data: { code: string; httpStatus: number } };
}

describe.each(testBackends)('planning over HTTP on %s', (backend) => {
  let server: TestServer;
  let ann: string;
  let bob: string;

  beforeAll(async () => {
    server = await startTestServer(backend);
    ann = await getToken(server, (await signUp(server, 'ann')).cookie);
    bob = await getToken(server, (await signUp(server, 'bob')).cookie);
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function call<T>(token: string, path: string, input?: unknown, method?: 'GET' | 'POST') {
    const query = method === 'GET' || (method === undefined && input === undefined);
    const url = `${server.url}/api/trpc/${path}${
      query && input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : ''
    }`;
    const response = await fetch(url, {
      method: query ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: query ? undefined : JSON.stringify(input ?? {}),
    });
    return { status: response.status, body: (await response.json()) as Envelope<T> };
  }

  const list = (token: string, input: object) =>
    call<{ items: { title: string; completed: boolean; dueOn: string | null }[]; nextCursor: string | null }>(
      token,
      'task.list',
      input,
      'GET',
    );

  it('setAllCompleted: one POST completes every task of the caller, none of another user', async () => {
    await call(ann, 'task.create', { title: 'ann one' });
    await call(ann, 'task.create', { title: 'ann two' });
    await call(bob, 'task.create', { title: 'bob one' });
    const done = await call<{ updated: number; tasks: { id: string; version: number }[] }>(
      ann,
      'task.setAllCompleted',
      { completed: true },
    );
    expect(done.status).toBe(200);
    expect(done.body.result?.data.updated).toBe(2);
    expect(done.body.result?.data.tasks.every((t) => t.version === 2)).toBe(true);
    expect((await list(bob, {})).body.result?.data.items.map((t) => t.completed)).toEqual([false]);
    const bad = await call(ann, 'task.setAllCompleted', { completed: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.data.code).toBe('BAD_REQUEST');
  });

  it('due dates: set on create, the Today view by the caller’s date as a GET input, bad dates 400', async () => {
    const created = await call<{ dueOn: string | null }>(ann, 'task.create', {
      title: 'due soon',
      dueOn: '2026-12-03',
    });
    expect(created.status).toBe(200);
    expect(created.body.result?.data.dueOn).toBe('2026-12-03');
    await call(bob, 'task.create', { title: 'bob due', dueOn: '2026-12-03' });
    const today = await list(ann, { due: 'today', today: '2026-12-03' });
    expect(today.status).toBe(200);
    expect(today.body.result?.data.items.map((t) => [t.title, t.dueOn])).toEqual([
      ['due soon', '2026-12-03'],
    ]);
    expect((await list(ann, { due: 'upcoming', today: '2026-12-02' })).body.result?.data.items).toHaveLength(
      1,
    );

    for (const bad of [
      () => call(ann, 'task.create', { title: 'x', dueOn: '2026-02-30' }),
      () => list(ann, { due: 'today' }),
      () => list(ann, { due: 'today', today: 'tomorrow' }),
    ]) {
      const answer = await bad();
      expect(answer.status).toBe(400);
      expect(answer.body.error?.data.code).toBe('BAD_REQUEST');
    }
  });

  it('search: a GET input finds by description with prefix matching; too long is 400', async () => {
    await call(ann, 'task.create', { title: 'Plan trip', description: 'Book the Lisbon hotel' });
    await call(bob, 'task.create', { title: 'Lisbon for Bob' });
    const found = await list(ann, { search: 'lisb' });
    expect(found.status).toBe(200);
    expect(found.body.result?.data.items.map((t) => t.title)).toEqual(['Plan trip']);
    const tooLong = await list(ann, { search: 'x'.repeat(101) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error?.data.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(tooLong.body)).not.toMatch(/tsquery|select|at .*\.ts/);
  });
});
