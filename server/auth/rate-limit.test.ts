/**
 * The per-address limit on the auth endpoints, over HTTP against the real server. The budget is
 * spent with requests Better Auth refuses before hashing (invalid email, 400): the limiter counts
 * every request before routing or validation, so they cost an attacker the same and keep this fast.
 * Runs on every backend because the counters live in the database (`rateLimit.storage: 'database'`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../env';
import { testBackends } from '../test/databases';
import { postAuth, rawRequest, type RawResponse } from '../test/http';
import { signUp, startTestServer, type SignedUpUser, type TestServer } from '../test/server';

/** `customRules['/sign-in/email']` in server/auth/auth.ts. */
const SIGN_IN_MAX = 10;
const SIGN_IN = '/api/auth/sign-in/email';
const cheapAttempt = { email: 'not-an-email', password: 'whatever-password' };

function expectLimited(response: RawResponse): void {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(response.headers['x-retry-after']).toBe(String(retryAfter));
  expect(JSON.parse(response.body)).toMatchObject({ message: expect.stringMatching(/too many requests/i) });
}

/** Spends the whole sign-in budget of one client address; every request is allowed (400). */
async function spendBudget(server: TestServer, headers: Record<string, string> = {}): Promise<void> {
  for (let i = 0; i < SIGN_IN_MAX; i++) {
    const response = await postAuth(server, SIGN_IN, cheapAttempt, headers);
    expect(response.status).toBe(400);
  }
}

describe('RATE_LIMIT_ENABLED', () => {
  it.each(['development', 'test', 'production'])('defaults to on with NODE_ENV=%s', (nodeEnv) => {
    const env = parseEnv({
      NODE_ENV: nodeEnv,
      BETTER_AUTH_URL: 'https://tasks.example.com',
      BETTER_AUTH_SECRET: 'x'.repeat(32),
      EMAIL_DISABLED: 'true',
    });
    expect(env.RATE_LIMIT_ENABLED).toBe(true);
  });

  it('cannot be turned off in production', () => {
    expect(() =>
      parseEnv({
        NODE_ENV: 'production',
        BETTER_AUTH_URL: 'https://tasks.example.com',
        BETTER_AUTH_SECRET: 'x'.repeat(32),
        RATE_LIMIT_ENABLED: 'false',
        EMAIL_DISABLED: 'true',
      }),
    ).toThrow(/RATE_LIMIT_ENABLED/);
  });
});

describe.each(testBackends)('auth rate limit on %s', (backend) => {
  describe('a client connecting directly (no trusted proxy)', () => {
    let server: TestServer;
    let ann: SignedUpUser;

    beforeAll(async () => {
      server = await startTestServer(backend, { env: { RATE_LIMIT_ENABLED: 'true' } });
      ann = await signUp(server, 'ann');
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('gets no extra attempts from a spoofed X-Forwarded-For; the limit answers 429 with Retry-After', async () => {
      for (let i = 0; i < SIGN_IN_MAX; i++) {
        const response = await postAuth(server, SIGN_IN, cheapAttempt, {
          'x-forwarded-for': `198.51.100.${i + 1}`,
          'x-real-ip': `198.51.100.${i + 1}`,
          [`x-taskmanager-client-ip`]: `198.51.100.${i + 1}`,
        });
        expect(response.status).toBe(400);
      }
      expectLimited(await postAuth(server, SIGN_IN, cheapAttempt, { 'x-forwarded-for': '203.0.113.77' }));
      // Even the right password is not checked now.
      expectLimited(await postAuth(server, SIGN_IN, { email: ann.email, password: ann.password }));
    });

    it.each([
      ['trailing slash', `${SIGN_IN}/`],
      ['query string', `${SIGN_IN}?x=1`],
      ['encoded dot segment', '/api/auth/x/%2e%2e/sign-in/email'],
      ['backslash', '/api/auth/sign-in\\email'],
      ['fragment', `${SIGN_IN}#x`],
    ])('counts the %s variant in the same bucket (429)', async (_name, path) => {
      // Make sure the canonical bucket is spent (it already is when the test above ran first).
      let status = 0;
      for (let i = 0; i <= SIGN_IN_MAX && status !== 429; i++) {
        status = (await postAuth(server, SIGN_IN, cheapAttempt)).status;
      }
      expect(status).toBe(429);
      const response = await rawRequest(server, {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', origin: server.baseURL },
        body: JSON.stringify({ email: ann.email, password: ann.password }),
      });
      expectLimited(response);
    });

    it.each([
      ['leading double slash', `/${SIGN_IN}`],
      ['inner double slash', '/api/auth/sign-in//email'],
      ['dot segment', '/api/auth/x/../sign-in/email'],
      ['dot', '/api/auth/./sign-in/email'],
      ['upper case', '/api/auth/SIGN-IN/email'],
      ['upper-case prefix', '/API/AUTH/sign-in/email'],
      ['encoded slash', '/api/auth/sign-in%2Femail'],
      ['encoded letter', '/api/auth/%73ign-in/email'],
      ['absolute-form target', `http://localhost${SIGN_IN}`],
    ])('refuses the %s variant without checking a password (404)', async (_name, path) => {
      const response = await rawRequest(server, {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', origin: server.baseURL },
        body: JSON.stringify({ email: ann.email, password: ann.password }),
      });
      expect(response.status).toBe(404);
      expect(response.headers['set-cookie']).toBeUndefined();
    });
  });

  describe('behind a trusted proxy (TRUSTED_PROXIES=127.0.0.1)', () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer(backend, {
        env: { RATE_LIMIT_ENABLED: 'true', TRUSTED_PROXIES: '127.0.0.1' },
      });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('keys on the address the proxy saw, not on what the client prepended', async () => {
      await spendBudget(server, { 'x-forwarded-for': '203.0.113.5' });
      expectLimited(await postAuth(server, SIGN_IN, cheapAttempt, { 'x-forwarded-for': '203.0.113.5' }));
      expectLimited(
        await postAuth(server, SIGN_IN, cheapAttempt, { 'x-forwarded-for': '192.0.2.1, 203.0.113.5' }),
      );
      // Control: another real client still has its own budget, so the limit is per address.
      expect(
        (await postAuth(server, SIGN_IN, cheapAttempt, { 'x-forwarded-for': '203.0.113.6' })).status,
      ).toBe(400);
    });

    it('treats an IPv6 /64 as one client: rotating addresses inside it gets no extra attempts', async () => {
      for (let i = 0; i < SIGN_IN_MAX; i++) {
        const address = `2001:db8:1:2:${(i + 1).toString(16)}::${i + 7}`;
        const response = await postAuth(server, SIGN_IN, cheapAttempt, { 'x-forwarded-for': address });
        expect(response.status).toBe(400);
      }
      expectLimited(
        await postAuth(server, SIGN_IN, cheapAttempt, {
          'x-forwarded-for': '2001:db8:1:2:ffff:ffff:ffff:fffe',
        }),
      );
      expectLimited(await postAuth(server, SIGN_IN, cheapAttempt, { 'x-forwarded-for': '2001:DB8:1:2::99' }));
      // Control: the neighbouring /64 is another customer.
      expect(
        (await postAuth(server, SIGN_IN, cheapAttempt, { 'x-forwarded-for': '2001:db8:1:3::1' })).status,
      ).toBe(400);
    });

    it('maps an IPv4-mapped IPv6 address to the IPv4 client', async () => {
      await spendBudget(server, { 'x-forwarded-for': '203.0.113.9' });
      expectLimited(
        await postAuth(server, SIGN_IN, cheapAttempt, { 'x-forwarded-for': '::ffff:203.0.113.9' }),
      );
    });
  });
});
