/**
 * Browser-facing headers on every kind of response, and CORS on the token endpoint, over HTTP
 * (ASVS 5.0 V3.4 browser security headers, V3.5 origin separation; OWASP API8 misconfiguration).
 * PGlite only: headers are set by the HTTP layer before any database access.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postAuth, rawRequest, type RawResponse } from '../test/http';
import { signUp, startTestServer, type SignedUpUser, type TestServer } from '../test/server';

const FOREIGN = 'https://evil.example';

function expectBrowserHeaders(response: RawResponse): void {
  const csp = String(response.headers['content-security-policy']);
  const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
  expect(scriptSrc.trim()).toBe("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['referrer-policy']).toBe('no-referrer');
  expect(response.headers['x-frame-options']).toBe('DENY');
}

describe('security headers over HTTP (pglite)', () => {
  let server: TestServer;
  let clientDir: string;
  let ann: SignedUpUser;

  beforeAll(async () => {
    clientDir = await mkdtemp(join(tmpdir(), 'tasks-client-'));
    await writeFile(join(clientDir, 'index.html'), '<!doctype html><title>Tasks</title>');
    server = await startTestServer('pglite', { clientDir, env: { RATE_LIMIT_ENABLED: 'true' } });
    ann = await signUp(server, 'ann');
  });
  afterAll(async () => {
    await server?.stop();
    await rm(clientDir, { recursive: true, force: true });
  });

  const apiRequests: [string, () => Promise<RawResponse>][] = [
    ['auth session', () => rawRequest(server, { path: '/api/auth/get-session' })],
    ['auth token', () => rawRequest(server, { path: '/api/auth/token', headers: { cookie: ann.cookie } })],
    [
      'auth sign-in failure',
      () => postAuth(server, '/api/auth/sign-in/email', { email: 'x@example.com', password: 'wrongwrong' }),
    ],
    ['auth 404', () => rawRequest(server, { path: '/api/auth/nope' })],
    [
      'auth 413',
      () =>
        rawRequest(server, {
          method: 'POST',
          path: '/api/auth/sign-in/email',
          headers: { 'content-type': 'application/json' },
          body: 'x'.repeat(17 * 1024),
        }),
    ],
    ['tRPC 401', () => rawRequest(server, { path: '/api/trpc/task.list' })],
    ['api 404', () => rawRequest(server, { path: '/api/other' })],
    ['double slash 404', () => rawRequest(server, { path: '//api/auth/token' })],
  ];

  it.each(apiRequests)('%s: browser headers and Cache-Control: no-store', async (_name, send) => {
    const response = await send();
    expectBrowserHeaders(response);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });

  it('a rate-limited auth response has them too', async () => {
    let response: RawResponse | undefined;
    for (let i = 0; i < 12 && response?.status !== 429; i++) {
      response = await postAuth(server, '/api/auth/sign-in/email', { email: 'bad', password: 'x' });
    }
    expect(response?.status).toBe(429);
    if (response) expectBrowserHeaders(response);
    expect(response?.headers['cache-control']).toBe('no-store');
  });

  it.each([
    ['/healthz', '/healthz'],
    ['the web client', '/'],
    ['a client route (SPA fallback)', '/tasks/123'],
    ['a 404 outside the API', '/nope.js'],
  ])('%s: browser headers', async (_name, path) => {
    expectBrowserHeaders(await rawRequest(server, { path }));
  });

  it('lets no foreign origin read /api/auth/token: no CORS grant, even with a valid cookie', async () => {
    const preflight = await rawRequest(server, {
      method: 'OPTIONS',
      path: '/api/auth/token',
      headers: {
        origin: FOREIGN,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();

    const read = await rawRequest(server, {
      path: '/api/auth/token',
      headers: { origin: FOREIGN, cookie: ann.cookie },
    });
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
    expect(read.headers['access-control-allow-credentials']).toBeUndefined();

    // Our own origin needs no CORS at all (same origin), and gets its token.
    const own = await rawRequest(server, {
      path: '/api/auth/token',
      headers: { origin: server.baseURL, cookie: ann.cookie },
    });
    expect(own.status).toBe(200);
    expect(own.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a cookie-authenticated POST from a foreign origin (CSRF)', async () => {
    const response = await postAuth(
      server,
      '/api/auth/sign-out',
      {},
      { origin: FOREIGN, cookie: ann.cookie },
    );
    expect(response.status).toBe(403);
  });
});

describe('HSTS when served over https (pglite)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('pglite', { env: { BETTER_AUTH_URL: 'https://tasks.example.com' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each(['/healthz', '/api/auth/get-session', '/api/trpc/task.list', '/nope'])('%s', async (path) => {
    const response = await rawRequest(server, { path });
    expect(response.headers['strict-transport-security']).toMatch(/^max-age=(\d+); includeSubDomains$/);
    const maxAge = Number(/max-age=(\d+)/.exec(String(response.headers['strict-transport-security']))?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(31_536_000);
    expectBrowserHeaders(response);
  });
});
