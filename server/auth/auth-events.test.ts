/**
 * The auth event log across a whole session (ASVS 5.0 V16 security logging; OWASP API2/API9):
 * every event is there with its request id and, when known, the user id; and no password, token,
 * cookie value, secret or email ever reaches the log, whatever the level. All output of the server's
 * pino logger is captured at `trace`, so Better Auth's own lines are checked too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLog } from '../test/captured-log';
import { createApiClient } from '../sdk/api-client';
import { testBackends } from '../test/databases';
import { TEST_SECRET } from '../test/env';
import { postAuth, rawRequest } from '../test/http';
import { getToken, signUp, startTestServer, type TestServer } from '../test/server';
import { scrubMessage, type AuthEvent } from './auth-events';
import { DEVICE_COOKIE } from './sign-in-throttle';

interface LogLine {
  event?: AuthEvent;
  userId?: string;
  requestId?: string;
  cause?: string;
  [key: string]: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(testBackends)('auth event log on %s', (backend) => {
  let server: TestServer;
  const { log, output } = captureLog('trace');
  /** Everything that must never be logged, collected as the flow produces it. */
  const secrets: string[] = [TEST_SECRET];

  beforeAll(async () => {
    server = await startTestServer(backend, {
      env: { RATE_LIMIT_ENABLED: 'true' },
      log,
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('records the whole flow with request and user ids, and leaks nothing', async () => {
    const ann = await signUp(server, 'ann');
    const bob = await signUp(server, 'bob');
    const wrongPassword = 'not-anns-password-4711';
    secrets.push(ann.password, wrongPassword, ann.email, bob.email);
    for (const cookie of [ann.cookie, bob.cookie]) {
      secrets.push(...cookie.split('; ').map((pair) => pair.slice(pair.indexOf('=') + 1)));
    }

    expect(
      (await postAuth(server, '/api/auth/sign-in/email', { email: ann.email, password: wrongPassword }))
        .status,
    ).toBe(401);
    const signIn = await postAuth(server, '/api/auth/sign-in/email', {
      email: ann.email,
      password: ann.password,
    });
    expect(signIn.status).toBe(200);
    secrets.push((JSON.parse(signIn.body) as { token: string }).token);
    for (const header of signIn.headers['set-cookie'] ?? []) {
      const pair = header.split(';', 1)[0] ?? '';
      secrets.push(decodeURIComponent(pair.slice(pair.indexOf('=') + 1)));
      if (pair.startsWith(DEVICE_COOKIE)) expect(pair.length).toBeGreaterThan(DEVICE_COOKIE.length + 10);
    }

    const annToken = await getToken(server, ann.cookie);
    const bobToken = await getToken(server, bob.cookie);
    secrets.push(annToken, bobToken, ...annToken.split('.'), ...bobToken.split('.'));
    const annApi = createApiClient({ baseUrl: server.url, getToken: () => annToken });
    const bobApi = createApiClient({ baseUrl: server.url, getToken: () => bobToken });

    const task = await annApi.task.create.mutate({ title: 'private' });
    await expect(bobApi.task.get.query({ id: task.id })).rejects.toThrow();
    const tampered = `${annToken.slice(0, -4)}AAAA`;
    secrets.push(tampered);
    const rejected = await rawRequest(server, {
      path: '/api/trpc/task.list',
      headers: { authorization: `Bearer ${tampered}` },
    });
    expect(rejected.status).toBe(401);

    let limited = 0;
    for (let i = 0; i < 12 && limited === 0; i++) {
      const response = await postAuth(server, '/api/auth/sign-in/email', {
        email: 'bad',
        password: wrongPassword,
      });
      if (response.status === 429) limited++;
    }
    expect(limited).toBe(1);

    const lines = output
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LogLine);
    const events = (event: AuthEvent) => lines.filter((line) => line.event === event);
    for (const line of lines.filter((l) => l.event)) expect(line.requestId).toMatch(UUID);

    expect(events('sign_up').map((l) => l.userId)).toEqual([ann.id, bob.id]);
    expect(events('sign_in_failed')).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'INVALID_EMAIL_OR_PASSWORD', status: 401 })]),
    );
    expect(events('sign_in').map((l) => l.userId)).toEqual([ann.id]);
    expect(events('forbidden')).toEqual([expect.objectContaining({ userId: bob.id, path: 'task.get' })]);
    expect(events('token_rejected')).toEqual([expect.objectContaining({ cause: expect.any(String) })]);
    expect(events('rate_limited')).toEqual([
      expect.objectContaining({ path: '/api/auth/sign-in/email', retryAfter: expect.any(Number) }),
    ]);
    // One account key for both of Ann's sign-ins, and it is not her email.
    const annKeys = new Set(
      [...events('sign_in'), ...events('sign_in_failed')].slice(0, 2).map((l) => l.account),
    );
    expect(annKeys.size).toBe(1);

    const everything = output.join('');
    for (const secret of secrets.filter((s) => s.length >= 8)) {
      expect(everything, 'a secret reached the log').not.toContain(secret);
    }
    expect(everything).not.toMatch(/bearer /i);
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // nothing that looks like a JWT
  });
});

describe('scrubMessage', () => {
  it('masks emails and token-like strings in Better Auth messages and keeps the rest', () => {
    expect(scrubMessage('Sign-up attempt for existing email: ann.o+1@mail.example.org')).toBe(
      'Sign-up attempt for existing email: [redacted]',
    );
    expect(scrubMessage('bad token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJlLXZhbHVl here')).toBe(
      'bad token [redacted] here',
    );
    expect(scrubMessage('session RwAC3lJlub81TSkZRz64Mh60CdLvSLtw expired')).toBe(
      'session [redacted] expired',
    );
    expect(scrubMessage('Invalid password')).toBe('Invalid password');
    expect(scrubMessage('ab '.repeat(400))).toHaveLength(300);
  });
});
