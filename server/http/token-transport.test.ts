/**
 * How a token may reach the API: only as one `Authorization: Bearer` header. Everything else
 * is UNAUTHORIZED and changes nothing; a key source that fails is 503, not 401.
 */
import { request, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getToken, signUp, startTestServer, type TestServer } from '../test/server';

/** A raw request, so that we can send what fetch would refuse or merge (two Authorization headers). */
function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('token transport', () => {
  let server: TestServer;
  let token: string;
  let list: string;
  let create: string;

  beforeAll(async () => {
    server = await startTestServer('pglite');
    const user = await signUp(server, 'transport');
    token = await getToken(server, user.cookie);
    list = `${server.url}/api/trpc/task.list`;
    create = `${server.url}/api/trpc/task.create`;
  });
  afterAll(async () => {
    await server?.stop();
  });

  const taskCount = async () =>
    (
      JSON.parse((await rawRequest(list, { headers: { authorization: `Bearer ${token}` } })).body) as {
        result: { data: { items: unknown[] } };
      }
    ).result.data.items.length;

  it('accepts one Bearer header, in any letter case', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      expect((await rawRequest(list, { headers: { authorization: `${scheme} ${token}` } })).status).toBe(200);
    }
  });

  it.each([
    ['query string', (t: string) => ({ url: `?access_token=${t}`, headers: {} })],
    ['a cookie', (t: string) => ({ url: '', headers: { cookie: `token=${t}` } })],
    ['another header', (t: string) => ({ url: '', headers: { 'x-access-token': t } })],
    ['Basic scheme', (t: string) => ({ url: '', headers: { authorization: `Basic ${t}` } })],
    ['no scheme', (t: string) => ({ url: '', headers: { authorization: t } })],
    ['empty header', () => ({ url: '', headers: { authorization: '' } })],
    [
      'two Bearer credentials in one header',
      (t: string) => ({ url: '', headers: { authorization: `Bearer ${t}, Bearer ${t}` } }),
    ],
    [
      'two Authorization headers',
      (t: string) => ({ url: '', headers: { authorization: [`Bearer ${t}`, `Bearer ${t}`] } }),
    ],
  ])('refuses a token sent in %s with 401 and creates nothing', async (_, place) => {
    const before = await taskCount();
    const { url, headers } = place(token);
    const response = await rawRequest(`${create}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ title: 'should not exist' }),
    });
    expect(response.status).toBe(401);
    expect(response.body).not.toContain(token);
    expect(await taskCount()).toBe(before);
  });

  it('refuses a token sent only in the body', async () => {
    const response = await rawRequest(create, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x', token, access_token: token }),
    });
    expect([400, 401]).toContain(response.status);
    expect(await taskCount()).toBe(0);
  });
});

describe('key source failures', () => {
  let broken: Server;
  let brokenUrl: string;

  beforeAll(async () => {
    // A JWKS endpoint that always fails, as an auth server in trouble would.
    broken = createServer((_, res) => {
      res.statusCode = 500;
      res.end('oops');
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    brokenUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}/api/auth/jwks`;
  });
  afterAll(async () => {
    await new Promise((resolve) => broken.close(resolve));
  });

  it.each([
    ['answers 500', () => brokenUrl],
    ['refuses connections', () => 'http://127.0.0.1:9/api/auth/jwks'],
  ])('answers 503 (not 401) when the remote JWKS %s', async (_, url) => {
    const issuer = await startTestServer('pglite');
    const user = await signUp(issuer, 'remote');
    const token = await getToken(issuer, user.cookie);
    const api = await startTestServer('pglite', {
      env: { AUTH_JWKS_URL: url(), BETTER_AUTH_URL: issuer.baseURL },
    });
    try {
      const response = await rawRequest(`${api.url}/api/trpc/task.list`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(503);
      expect(JSON.parse(response.body)).toMatchObject({ error: { data: { code: 'SERVICE_UNAVAILABLE' } } });
    } finally {
      await api.stop();
      await issuer.stop();
    }
  });

  it('verifies tokens of a remote Better Auth through AUTH_JWKS_URL', async () => {
    const issuer = await startTestServer('pglite');
    const user = await signUp(issuer, 'remote-ok');
    const token = await getToken(issuer, user.cookie);
    const api = await startTestServer('pglite', {
      env: { AUTH_JWKS_URL: `${issuer.url}/api/auth/jwks`, BETTER_AUTH_URL: issuer.baseURL },
    });
    try {
      const response = await rawRequest(`${api.url}/api/trpc/task.list`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
    } finally {
      await api.stop();
      await issuer.stop();
    }
  });
});

describe('load shedding', () => {
  it('answers 503 with Retry-After past MAX_IN_FLIGHT_REQUESTS, and serves again once load drops', async () => {
    const server = await startTestServer('pglite', { env: { MAX_IN_FLIGHT_REQUESTS: '1' } });
    try {
      const user = await signUp(server, 'busy');
      const token = await getToken(server, user.cookie);
      /**
       * A request whose body never finishes keeps the only slot busy. It may itself be shed: a
       * `list()` of the poll below can hold the slot at the moment it arrives (it then gets 503
       * and the slot is free again), so a shed one is sent again.
       */
      const stall = () => {
        const req = request(`${server.url}/api/trpc/task.create`, {
          method: 'POST',
          agent: false,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': '100',
          },
        });
        const state = { req, shed: false };
        req.on('response', (response) => {
          state.shed = true;
          response.resume();
        });
        req.on('error', () => {});
        req.write('{"title":');
        return state;
      };
      let stalled = stall();

      const list = () =>
        fetch(`${server.url}/api/trpc/task.list`, { headers: { authorization: `Bearer ${token}` } });
      // A loaded CI machine may take a while to deliver the stalled request: poll generously.
      const patiently = { timeout: 15_000, interval: 100 };
      await expect
        .poll(async () => {
          if (stalled.shed) {
            stalled.req.destroy();
            stalled = stall();
            return 'the stalled request was shed; sent again';
          }
          return (await list()).status;
        }, patiently)
        .toBe(503);
      expect((await list()).headers.get('retry-after')).toBe('1');
      expect(stalled.shed).toBe(false);

      stalled.req.destroy();
      await expect.poll(async () => (await list()).status, patiently).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
