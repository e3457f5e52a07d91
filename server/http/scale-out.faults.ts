/**
 * `npm run test:faults`: two API processes on one PostgreSQL database behind Debian's HAProxy
 * (round robin, /healthz checks, retries with redispatch). Through the balancer: a token from one
 * instance works on the other, sign-out and key rotation reach both within 2 s, the auth rate
 * limit is one budget for both, and SIGTERM of one instance under create load fails no request
 * and loses no acknowledged create.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inArray } from 'drizzle-orm';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { task } from '../db/task-schema';
import { isListeningLine, freePort, spawnServer, type ChildServer } from '../test/child-server';
import { createTestDatabase, type TestDatabase } from '../test/databases';
import { TEST_SECRET } from '../test/env';
import { haproxyUnavailable, SERVED_BY, startBalancer, type Balancer } from '../test/haproxy';
import { startCreateLoad } from '../test/load';
import { postgresUnavailable } from '../test/postgres-available';
import { getToken, signIn, signUp } from '../test/server';
import { waitFor } from '../test/wait';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PROPAGATION_LIMIT_MS = 2_000;
/** `customRules['/sign-in/email']` in server/auth/auth.ts. */
const SIGN_IN_MAX = 10;
const root = fileURLToPath(new URL('../..', import.meta.url));

const unavailable = haproxyUnavailable() ?? (await postgresUnavailable(ADMIN_URL));
if (unavailable) console.warn(`scale-out fault tests skipped: ${unavailable}`);

/** SIGTERM, then SIGKILL if it has not exited within `ms`. */
async function stopChild(server: ChildServer, ms = 15_000): Promise<number | null> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), ms);
  try {
    return await server.exited;
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(unavailable)('two instances behind HAProxy', () => {
  let database: TestDatabase;
  let balancer: Balancer;
  let lb: { url: string; baseURL: string };
  const instances: Record<'one' | 'two', ChildServer> = {} as Record<'one' | 'two', ChildServer>;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase('postgres', ADMIN_URL);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    lb = { url, baseURL: url };
    env = {
      DATABASE_URL: database.url ?? '',
      DATABASE_POOL_MAX: '5',
      BETTER_AUTH_URL: url,
      BETTER_AUTH_SECRET: TEST_SECRET,
      TRUSTED_PROXIES: '127.0.0.1',
    };
    // NODE_ENV=production (spawnServer): the auth rate limit is on, as it is refused off there.
    const [one, two] = await Promise.all([spawnServer(env), spawnServer(env)]);
    if (!one || !two) throw new Error('no instances');
    instances.one = one;
    instances.two = two;
    await Promise.all([one.waitForLog(isListeningLine), two.waitForLog(isListeningLine)]);
    balancer = await startBalancer(port, [
      { name: 'one', url: one.url },
      { name: 'two', url: two.url },
    ]);
  });
  afterAll(async () => {
    await balancer?.stop();
    await Promise.all(Object.values(instances).map((s) => stopChild(s)));
    await database?.close();
  });

  /** `task.list` with a bearer token: through the balancer, or straight to one instance. */
  const list = async (token: string, base = lb.url) => {
    const response = await fetch(`${base}/api/trpc/task.list`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await response.body?.cancel();
    return { status: response.status, servedBy: response.headers.get(SERVED_BY) };
  };
  const statusOnEach = async (token: string) => [
    (await list(token, instances.one.url)).status,
    (await list(token, instances.two.url)).status,
  ];
  /** Milliseconds until each instance (asked directly) refuses `token`. */
  const refusedOnEach = (token: string, what: string) =>
    Promise.all(
      (['one', 'two'] as const).map((name) =>
        waitFor(async () => (await list(token, instances[name].url)).status === 401, {
          timeoutMs: PROPAGATION_LIMIT_MS,
          what: `${what} on instance ${name}`,
        }),
      ),
    );
  const postAuth = (path: string, cookie: string, body: unknown = {}) =>
    fetch(`${lb.url}/api/auth${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: lb.baseURL, cookie },
      body: JSON.stringify(body),
    });

  it('alternates requests between both instances; a token minted by either works on both', async () => {
    const user = await signUp(lb, 'scale');
    const minted = new Map<string, string>();
    for (let i = 0; i < 6 && minted.size < 2; i++) {
      const response = await fetch(`${lb.url}/api/auth/token`, {
        headers: { cookie: user.cookie, origin: lb.baseURL },
      });
      expect(response.status).toBe(200);
      const { token } = (await response.json()) as { token: string };
      minted.set(response.headers.get(SERVED_BY) ?? '?', token);
    }
    expect([...minted.keys()].sort()).toEqual(['one', 'two']);

    for (const token of minted.values()) {
      const served = [];
      for (let i = 0; i < 10; i++) served.push(await list(token));
      expect(served.map((s) => s.status)).toEqual(Array(10).fill(200));
      // Round robin: no instance serves two requests in a row.
      const names = served.map((s) => s.servedBy);
      expect(new Set(names)).toEqual(new Set(['one', 'two']));
      for (let i = 1; i < names.length; i++) expect(names[i]).not.toBe(names[i - 1]);
      expect(await statusOnEach(token)).toEqual([200, 200]);
    }
  });

  it('sign-out and revoke-sessions through the balancer are enforced by both instances within 2 s', async () => {
    const user = await signUp(lb, 'revoke');
    const otherCookie = await signIn(lb, user);
    const first = await getToken(lb, user.cookie);
    const other = await getToken(lb, otherCookie);
    expect(await statusOnEach(first)).toEqual([200, 200]);
    expect(await statusOnEach(other)).toEqual([200, 200]);

    const signOut = await postAuth('/sign-out', user.cookie);
    expect(signOut.status).toBe(200);
    const signOutMs = await refusedOnEach(first, 'signed-out token refused');
    expect(await statusOnEach(other)).toEqual([200, 200]); // the other session is untouched

    expect((await postAuth('/revoke-sessions', otherCookie)).status).toBe(200);
    const revokeMs = await refusedOnEach(other, 'revoked-session token refused');
    console.log(
      `revocation reached [one, two]: sign-out ${signOutMs.map(Math.round).join(', ')} ms, ` +
        `revoke-sessions ${revokeMs.map(Math.round).join(', ')} ms (served by ${signOut.headers.get(SERVED_BY)})`,
    );
  });

  it('an emergency key rotation (npm run auth:rotate-keys -- --remove-previous) reaches both within 2 s', async () => {
    const user = await signUp(lb, 'rotate');
    const old = await getToken(lb, user.cookie);
    expect(await statusOnEach(old)).toEqual([200, 200]);

    // The operator's command, as its own process beside the running instances.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/rotate-keys.ts', '--remove-previous'],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'production',
          EMAIL_DISABLED: 'true',
          LOG_LEVEL: 'silent',
          ...env,
        },
      },
    );
    const newKeyId = /New signing key: (\S+)/.exec(stdout)?.[1];
    expect(newKeyId).toBeTruthy();
    const rotationMs = await refusedOnEach(old, 'removed-key token refused');
    console.log(
      `key rotation reached [one, two]: ${rotationMs.map(Math.round).join(', ')} ms after the command exited`,
    );

    // Sessions are untouched: a fresh token, minted by either instance, carries the new key.
    for (let i = 0; i < 2; i++) {
      const fresh = await getToken(lb, user.cookie);
      expect(decodeProtectedHeader(fresh).kid).toBe(newKeyId);
      expect(await statusOnEach(fresh)).toEqual([200, 200]);
    }
  });

  it('the sign-in rate limit is one budget across both instances', async () => {
    // One client address (forwarded by HAProxy, believed because it is a trusted proxy): its own
    // budget, apart from the 127.0.0.1 the other tests sign up from.
    const attempt = () =>
      fetch(`${lb.url}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          origin: lb.baseURL,
          'x-forwarded-for': '198.51.100.23',
        },
        // Refused before any password hashing (400), but counted by the limiter all the same.
        body: JSON.stringify({ email: 'not-an-email', password: 'whatever-password' }),
      });
    const allowed: { status: number; servedBy: string | null }[] = [];
    for (let i = 0; i < SIGN_IN_MAX; i++) {
      const response = await attempt();
      await response.body?.cancel();
      allowed.push({ status: response.status, servedBy: response.headers.get(SERVED_BY) });
    }
    expect(allowed.map((a) => a.status)).toEqual(Array(SIGN_IN_MAX).fill(400));
    // Half the attempts went to each instance; a per-instance budget would allow 10 more.
    expect(allowed.filter((a) => a.servedBy === 'one')).toHaveLength(SIGN_IN_MAX / 2);

    const limited = [];
    for (let i = 0; i < 2; i++) {
      const response = await attempt();
      await response.body?.cancel();
      limited.push({ status: response.status, servedBy: response.headers.get(SERVED_BY) });
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(limited.map((l) => l.status)).toEqual([429, 429]);
    expect(new Set(limited.map((l) => l.servedBy))).toEqual(new Set(['one', 'two']));
  });

  it('SIGTERM of one instance under create load: no failed request, every acknowledged create stored', async () => {
    const user = await signUp(lb, 'drain');
    const token = await getToken(lb, user.cookie);
    const load = startCreateLoad({ url: lb.url, token, connections: 8 });
    await load.warm;
    await new Promise((resolve) => setTimeout(resolve, 500));

    const signalled = performance.now();
    instances.one.child.kill('SIGTERM');
    expect(await instances.one.exited).toBe(0);
    const exitMs = performance.now() - signalled;
    // Keep going on the survivor for a while, so requests the balancer moved are seen through.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const outcome = await load.stop();

    const requests = Object.values(outcome.statuses).reduce((a, b) => a + b, 0) + outcome.refused;
    const stored = await database.db
      .select({ id: task.id })
      .from(task)
      .where(inArray(task.id, outcome.acknowledged));
    console.log(
      `SIGTERM under load: ${requests} requests, statuses ${JSON.stringify(outcome.statuses)}, ` +
        `${outcome.refused} refused, ${outcome.resets.length} resets, ${outcome.acknowledged.length} acknowledged, ` +
        `${outcome.acknowledged.length - stored.length} acknowledged but not stored; instance one exited ${Math.round(exitMs)} ms after SIGTERM`,
    );
    // HAProxy's own account of the instances going down and up, for a failure message.
    const transitions = balancer.output
      .join('')
      .split('\n')
      .filter((l) => /is (DOWN|UP)/.test(l));
    console.log(`HAProxy:\n${transitions.join('\n')}`);
    expect(outcome.resets).toEqual([]);
    expect(outcome.refused).toBe(0);
    expect(Object.keys(outcome.statuses)).toEqual(['200']);
    expect(stored).toHaveLength(outcome.acknowledged.length);
    // The survivor still answers through the balancer once the checks have marked `one` down.
    expect((await list(token)).servedBy).toBe('two');
  });
});
