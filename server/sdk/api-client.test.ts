/**
 * The API as another TypeScript service sees it: the real server on a free port, accounts made
 * through Better Auth, and every procedure called through the typed client.
 */
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { testBackends } from '../test/databases';
import { createApiKey, getToken, signUp, startTestServer, type TestServer } from '../test/server';
import {
  ApiKeyExchangeError,
  createApiClient,
  type ApiClient,
  type AppRouter,
  type Task,
} from './api-client';

/** The HTTP status and tRPC code a call failed with. */
async function failure(call: Promise<unknown>): Promise<{ code: string; status: number }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) {
      const data = (error as TRPCClientError<AppRouter>).data;
      return { code: data?.code ?? 'none', status: data?.httpStatus ?? 0 };
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe.each(testBackends)('typed API client against the real server on %s', (backend) => {
  let server: TestServer;
  let ann: ApiClient;
  let bob: ApiClient;
  let annCookie: string;
  let annToken: string;

  beforeAll(async () => {
    server = await startTestServer(backend);
    const annUser = await signUp(server, 'ann');
    const bobUser = await signUp(server, 'bob');
    annCookie = annUser.cookie;
    annToken = await getToken(server, annUser.cookie);
    const bobToken = await getToken(server, bobUser.cookie);
    ann = createApiClient({ baseUrl: server.url, getToken: () => annToken });
    bob = createApiClient({ baseUrl: server.url, getToken: async () => bobToken });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('retries a create whose answer was lost with the same key: one task, not two', async () => {
    const sent: string[] = [];
    let dropped = 0;
    // The first create reaches the server, which stores it; its answer never reaches us.
    const lossyFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = input instanceof Request ? input.url : input.toString();
      if (url.includes('task.create')) {
        sent.push(typeof init?.body === 'string' ? init.body : '');
        if (dropped++ === 0) {
          await response.arrayBuffer();
          throw new TypeError('fetch failed');
        }
      }
      return response;
    };
    const lossy = createApiClient({ baseUrl: server.url, getToken: () => annToken, fetch: lossyFetch });
    const created = await lossy.task.create.mutate({ title: 'Sent once, answered once' });
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBe(sent[0]);
    expect(sent[0]).toMatch(/"idempotencyKey":"[0-9a-f-]{36}"/);
    const { items } = await ann.task.list.query({ limit: 100 });
    expect(items.filter((t) => t.title === 'Sent once, answered once').map((t) => t.id)).toEqual([
      created.id,
    ]);
  });

  it('never sends a toggle again after a lost answer (it would undo the first)', async () => {
    const task = await ann.task.create.mutate({ title: 'Toggle me once' });
    let toggles = 0;
    const lossyFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = input instanceof Request ? input.url : input.toString();
      if (url.includes('task.toggle')) {
        toggles++;
        await response.arrayBuffer();
        throw new TypeError('fetch failed');
      }
      return response;
    };
    const lossy = createApiClient({ baseUrl: server.url, getToken: () => annToken, fetch: lossyFetch });
    await expect(lossy.task.toggle.mutate({ id: task.id })).rejects.toThrow();
    expect(toggles).toBe(1);
    expect((await ann.task.get.query({ id: task.id })).completed).toBe(true);
    await ann.task.delete.mutate({ id: task.id });
  });

  it('infers the outputs from the router', () => {
    expectTypeOf<Task>().toEqualTypeOf<{
      id: string;
      userId: string;
      title: string;
      description: string | null;
      completed: boolean;
      version: number;
      createdAt: string;
      updatedAt: string;
      dueOn: string | null;
      position: string;
    }>();
    expectTypeOf(ann.task.list.query).returns.resolves.toEqualTypeOf<{
      items: Task[];
      nextCursor: string | null;
    }>();
    expectTypeOf(ann.task.delete.mutate).returns.resolves.toEqualTypeOf<{ id: string }>();
    expectTypeOf(ann.task.counts.query).returns.resolves.toEqualTypeOf<{
      all: number;
      active: number;
      completed: number;
    }>();
    expectTypeOf(ann.task.clearCompleted.mutate).returns.resolves.toEqualTypeOf<{
      deleted: number;
      ids: string[];
    }>();
    expectTypeOf(ann.task.create.mutate).parameter(0).toHaveProperty('title').toEqualTypeOf<string>();
  });

  it('runs all six procedures for the owner', async () => {
    const created = await ann.task.create.mutate({ title: 'Write report', description: 'Q3' });
    expect(created).toMatchObject({ title: 'Write report', description: 'Q3', completed: false, version: 1 });
    expect(typeof created.createdAt).toBe('string');

    expect(await ann.task.get.query({ id: created.id })).toEqual(created);
    const updated = await ann.task.update.mutate({ id: created.id, title: 'Write the report', version: 1 });
    expect(updated).toMatchObject({ title: 'Write the report', version: 2 });
    expect(await ann.task.toggle.mutate({ id: created.id })).toMatchObject({ completed: true, version: 3 });
    const list = await ann.task.list.query({ status: 'completed' });
    expect(list.items.map((t) => t.id)).toEqual([created.id]);
    expect(await ann.task.delete.mutate({ id: created.id })).toEqual({ id: created.id });
    expect(await failure(ann.task.get.query({ id: created.id }))).toEqual({ code: 'NOT_FOUND', status: 404 });
  });

  it("counts and clears completed tasks over HTTP, the caller's only", async () => {
    const clientFor = async (name: string) => {
      const token = await getToken(server, (await signUp(server, name)).cookie);
      return createApiClient({ baseUrl: server.url, getToken: () => token });
    };
    const api = await clientFor('cleo');
    const other = await clientFor('dan');
    const keep = await api.task.create.mutate({ title: 'keep' });
    const done = await api.task.create.mutate({ title: 'done' });
    await api.task.toggle.mutate({ id: done.id });
    const othersDone = await other.task.create.mutate({ title: 'not cleo’s' });
    await other.task.toggle.mutate({ id: othersDone.id });

    expect(await api.task.counts.query()).toEqual({ all: 2, active: 1, completed: 1 });
    expect(await api.task.clearCompleted.mutate()).toEqual({ deleted: 1, ids: [done.id] });
    expect(await api.task.counts.query()).toEqual({ all: 1, active: 1, completed: 0 });
    expect((await api.task.list.query()).items.map((t) => t.id)).toEqual([keep.id]);
    expect(await other.task.counts.query()).toEqual({ all: 1, active: 0, completed: 1 });
    expect(await other.task.get.query({ id: othersDone.id })).toMatchObject({ completed: true });
    expect((await api.task.list.query({ direction: 'forward' })).items.map((t) => t.id)).toEqual([keep.id]);
    // @ts-expect-error -- the API pages forward only
    expect(await failure(api.task.list.query({ direction: 'backward' }))).toEqual({
      code: 'BAD_REQUEST',
      status: 400,
    });
  });

  it("keeps users apart: FORBIDDEN (403) on another's task, which stays unchanged", async () => {
    const mine = await ann.task.create.mutate({ title: 'Ann only' });
    expect(await failure(bob.task.get.query({ id: mine.id }))).toEqual({ code: 'FORBIDDEN', status: 403 });
    expect(await failure(bob.task.update.mutate({ id: mine.id, title: 'x' }))).toEqual({
      code: 'FORBIDDEN',
      status: 403,
    });
    expect(await failure(bob.task.toggle.mutate({ id: mine.id }))).toEqual({
      code: 'FORBIDDEN',
      status: 403,
    });
    expect(await failure(bob.task.delete.mutate({ id: mine.id }))).toEqual({
      code: 'FORBIDDEN',
      status: 403,
    });
    expect((await bob.task.list.query()).items).toEqual([]);
    expect(await ann.task.get.query({ id: mine.id })).toEqual(mine);
  });

  it('authorizes each call of a batch on its own', async () => {
    const mine = await ann.task.create.mutate({ title: 'in a batch' });
    const theirs = await bob.task.create.mutate({ title: 'bob, in a batch' });
    let requests = 0;
    const counting = createApiClient({
      baseUrl: server.url,
      getToken: () => annToken,
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    const [own, foreign, renamed] = await Promise.allSettled([
      counting.task.get.query({ id: mine.id }),
      counting.task.get.query({ id: theirs.id }),
      counting.task.update.mutate({ id: theirs.id, title: 'renamed by ann' }),
    ]);
    expect(requests).toBe(2); // one batch of queries, one of mutations
    expect(own).toMatchObject({ status: 'fulfilled', value: { id: mine.id } });
    expect(foreign.status === 'rejected' && (foreign.reason as TRPCClientError<AppRouter>).data?.code).toBe(
      'FORBIDDEN',
    );
    expect(renamed.status === 'rejected' && (renamed.reason as TRPCClientError<AppRouter>).data?.code).toBe(
      'FORBIDDEN',
    );
    expect(await bob.task.get.query({ id: theirs.id })).toEqual(theirs);
  });

  it('answers CONFLICT (409) to a stale version and BAD_REQUEST (400) with zod issues to bad input', async () => {
    const task = await ann.task.create.mutate({ title: 'v1' });
    await ann.task.update.mutate({ id: task.id, title: 'v2', version: 1 });
    expect(await failure(ann.task.update.mutate({ id: task.id, title: 'v3', version: 1 }))).toEqual({
      code: 'CONFLICT',
      status: 409,
    });
    try {
      await ann.task.create.mutate({ title: '' });
      expect.unreachable();
    } catch (error) {
      const e = error as TRPCClientError<AppRouter>;
      expect(e.data?.httpStatus).toBe(400);
      expect(e.data?.zodError?.fieldErrors).toEqual({ title: ['Title is required'] });
    }
  });

  it('ignores the session cookie: a cookie-only call is UNAUTHORIZED (401)', async () => {
    const cookieOnly = createApiClient({
      baseUrl: server.url,
      getToken: () => null,
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, cookie: annCookie } }),
    });
    expect(await failure(cookieOnly.task.list.query())).toEqual({ code: 'UNAUTHORIZED', status: 401 });
  });
});

describe.each(testBackends)('typed API client with an API key on %s', (backend) => {
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof signUp>>;

  beforeAll(async () => {
    server = await startTestServer(backend);
    owner = await signUp(server, 'service-owner');
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** A fetch that counts key exchanges and tRPC requests, and can tamper with the exchange's answer. */
  function countingFetch(tamper?: (token: string, exchange: number) => string) {
    const counts = { exchanges: 0, api: 0 };
    const wrapped: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      if (url.includes('/api/auth/api-key/token')) {
        counts.exchanges++;
        const response = await fetch(input, init);
        if (!tamper || !response.ok) return response;
        const body = (await response.json()) as { token: string };
        return Response.json({ ...body, token: tamper(body.token, counts.exchanges) });
      }
      if (url.includes('/api/trpc/')) counts.api++;
      return fetch(input, init);
    };
    return { counts, fetch: wrapped };
  }

  it('exchanges the key once for many calls, then renews before the JWT expires', async () => {
    const { key } = await createApiKey(server, owner);
    let clock = Date.now();
    const { counts, fetch: counting } = countingFetch();
    const api = createApiClient({ baseUrl: server.url, apiKey: key, fetch: counting, now: () => clock });

    const created = await api.task.create.mutate({ title: 'from the SDK' });
    await Promise.all([api.task.list.query({ status: 'active' }), api.task.counts.query()]);
    expect(await api.task.get.query({ id: created.id })).toEqual(created);
    expect(counts.exchanges).toBe(1);

    clock += (900 - 61) * 1000; // still valid, within a minute of expiry
    await api.task.counts.query();
    expect(counts.exchanges).toBe(1);
    clock += 2_000; // inside the renewal margin
    await api.task.counts.query();
    expect(counts.exchanges).toBe(2);
  });

  it('renews once when the API refuses its JWT, and the call succeeds', async () => {
    const { key } = await createApiKey(server, owner);
    // The first JWT is broken (as if signed by keys the server dropped); later ones are fine.
    const { counts, fetch: counting } = countingFetch((token, n) =>
      n === 1 ? `${token.slice(0, -4)}AAAA` : token,
    );
    const api = createApiClient({ baseUrl: server.url, apiKey: key, fetch: counting });
    const { items } = await api.task.list.query();
    expect(Array.isArray(items)).toBe(true);
    expect(counts).toEqual({ exchanges: 2, api: 2 });
    // A mutation is renewed and sent again too: the first attempt never reached a procedure.
    const fresh = countingFetch((token, n) => (n === 1 ? `${token.slice(0, -4)}AAAA` : token));
    const writer = createApiClient({ baseUrl: server.url, apiKey: key, fetch: fresh.fetch });
    const task = await writer.task.toggle.mutate({ id: (await api.task.create.mutate({ title: 't' })).id });
    expect(task.completed).toBe(true);
    expect(fresh.counts).toEqual({ exchanges: 2, api: 2 });
  });

  it('fails with the exchange refusal (401) as cause once the key is deleted, and never retries in a loop', async () => {
    const created = await createApiKey(server, owner);
    const { counts, fetch: counting } = countingFetch();
    const api = createApiClient({ baseUrl: server.url, apiKey: created.key, fetch: counting });
    await api.task.counts.query();
    const deleted = await fetch(`${server.url}/api/auth/api-key/delete`, {
      method: 'POST',
      headers: { cookie: owner.cookie, origin: server.baseURL, 'content-type': 'application/json' },
      body: JSON.stringify({ keyId: created.id }),
    });
    expect(deleted.status).toBe(200);

    const error = await api.task.counts.query().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TRPCClientError);
    const cause = (error as TRPCClientError<AppRouter>).cause;
    expect(cause).toBeInstanceOf(ApiKeyExchangeError);
    expect(cause).toMatchObject({ status: 401, code: 'INVALID_API_KEY' });
    expect(String((error as Error).message)).not.toContain(created.key);
    // One refused call (revoked JWT), one refused exchange; no retries after that.
    expect(counts).toEqual({ exchanges: 2, api: 2 });
  });

  it('is read-only with a tasks:read key: FORBIDDEN on writes, typed as the API says', async () => {
    const { key } = await createApiKey(server, owner, { scopes: ['tasks:read'] });
    const api = createApiClient({ baseUrl: server.url, apiKey: key });
    expect((await api.task.list.query()).items.length).toBeGreaterThan(0);
    expect(await failure(api.task.create.mutate({ title: 'nope' }))).toEqual({
      code: 'FORBIDDEN',
      status: 403,
    });
  });
});

describe('HTTP surface', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reports health once migrations are applied', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers 503 on /healthz when the database is gone', async () => {
    const other = await startTestServer('pglite');
    await other.database.close();
    const response = await fetch(`${other.url}/healthz`);
    expect(response.status).toBe(503);
    await other.close();
  });

  it('publishes the JWKS with public RS256 keys only', async () => {
    const response = await fetch(`${server.url}/api/auth/jwks`);
    const { keys } = (await response.json()) as { keys: Record<string, string>[] };
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256' });
      expect(key).not.toHaveProperty('d');
    }
  });

  it('issues a trimmed JWT: sub, email, sid, iss/aud = base URL, 15 minute lifetime', async () => {
    const user = await signUp(server, 'claims');
    const token = await getToken(server, user.cookie);
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(Object.keys(payload).sort()).toEqual(['aud', 'email', 'exp', 'iat', 'iss', 'sid', 'sub']);
    expect(payload).toMatchObject({
      sub: user.id,
      email: user.email,
      iss: server.baseURL,
      aud: server.baseURL,
    });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(900);
  });

  it('sends no stack trace, SQL or credential in an error body, and no-store on API responses', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const response = await fetch(
      `${server.url}/api/trpc/task.get?input=${encodeURIComponent('{"id":"x"}')}`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    const body = await response.text();
    expect(response.status).toBe(401);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(body).not.toContain(token);
    expect(body).not.toMatch(/stack|\.ts:|select |node_modules/i);
  });

  it('refuses an oversized tRPC body with 413 and an oversized batch with 400', async () => {
    const user = await signUp(server, 'limits');
    const token = await getToken(server, user.cookie);
    const big = await fetch(`${server.url}/api/trpc/task.create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    const calls = Array.from({ length: 21 }, () => 'task.list').join(',');
    const batch = await fetch(`${server.url}/api/trpc/${calls}?batch=1&input={}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(batch.status).toBe(400);
  });

  it('refuses an oversized auth body with 413', async () => {
    const response = await fetch(`${server.url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseURL },
      body: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(1024 * 1024) }),
    });
    expect(response.status).toBe(413);
  });
});
