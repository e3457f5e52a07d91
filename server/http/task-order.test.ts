/**
 * Manual order (D37) over the real server: `task.move` as curl sends it, the status codes api.md
 * promises, the list in the new order across pages, and another user's token changing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../test/databases';
import { getToken, signUp, startTestServer, type TestServer } from '../test/server';

interface Envelope<T> {
  result?: { data: T };
  error?: { message: string; data: { code: string; httpStatus: number } };
}

type Task = { id: string; title: string; position: string; version: number };

describe.each(testBackends)('manual order over HTTP on %s', (backend) => {
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

  async function call<T>(token: string, path: string, input: unknown, method: 'GET' | 'POST') {
    const url = `${server.url}/api/trpc/${path}${
      method === 'GET' ? `?input=${encodeURIComponent(JSON.stringify(input))}` : ''
    }`;
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : JSON.stringify(input),
    });
    return { status: response.status, body: (await response.json()) as Envelope<T> };
  }

  const create = async (token: string, title: string) =>
    (await call<Task>(token, 'task.create', { title }, 'POST')).body.result!.data;
  const move = (token: string, input: object) => call<Task>(token, 'task.move', input, 'POST');

  /** Every title of the list, page by page (`limit` per page). */
  async function titles(token: string, limit: number) {
    const out: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: Envelope<{ items: Task[]; nextCursor: string | null }> } =
        await call(token, 'task.list', { limit, ...(cursor && { cursor }) }, 'GET');
      expect(page.status).toBe(200);
      out.push(...page.body.result!.data.items.map((t) => t.title));
      cursor = page.body.result!.data.nextCursor;
    } while (cursor);
    return out;
  }

  it('moves with one POST; the list pages through the new order; errors are 409, 403, 404 and 400', async () => {
    const c = await create(ann, 'c');
    const b = await create(ann, 'b');
    const a = await create(ann, 'a');
    expect(await titles(ann, 2)).toEqual(['a', 'b', 'c']);

    const moved = await move(ann, { id: c.id, after: null, before: a.id });
    expect(moved.status).toBe(200);
    expect(moved.body.result?.data).toMatchObject({ id: c.id, version: c.version });
    expect(await titles(ann, 2)).toEqual(['c', 'a', 'b']);

    // Stale: a and b are not adjacent any more once b goes to the top.
    await move(ann, { id: b.id, after: null });
    const stale = await move(ann, { id: c.id, after: a.id, before: b.id });
    expect(stale.status).toBe(409);
    expect(stale.body.error?.data.code).toBe('CONFLICT');

    // Bob cannot move Ann's task, nor name it as a neighbour of his own.
    const bobs = await create(bob, 'bob');
    expect((await move(bob, { id: a.id, after: null })).status).toBe(403);
    expect((await move(bob, { id: bobs.id, after: a.id })).status).toBe(409);
    expect((await move(ann, { id: crypto.randomUUID(), after: null })).status).toBe(404);
    expect(await titles(ann, 2)).toEqual(['b', 'c', 'a']);

    for (const input of [{ id: a.id, after: a.id }, { id: a.id }, { id: 'x', after: null }, 'nonsense']) {
      const bad = await move(ann, input as object);
      expect(bad.status).toBe(400);
      expect(bad.body.error?.data.code).toBe('BAD_REQUEST');
    }
  });
});
