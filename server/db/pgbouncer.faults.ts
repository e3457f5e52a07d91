/**
 * `npm run test:faults`, optional: the API through Debian's PgBouncer (1.18) in transaction mode,
 * configured as README "Operating it" (PgBouncer) says: DATABASE_URL is PgBouncer,
 * DATABASE_DIRECT_URL is PostgreSQL itself (LISTEN and migrations need a session), and prepared
 * statements are off (1.18 cannot carry them). Decisions D39.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isListeningLine, spawnServer, type ChildServer } from '../test/child-server';
import { createTestDatabase, type TestDatabase } from '../test/databases';
import { pgbouncerUnavailable, startPgBouncer, type Bouncer } from '../test/pgbouncer';
import { postgresUnavailable } from '../test/postgres-available';
import { getToken, signIn, signUp } from '../test/server';
import { waitFor } from '../test/wait';
import { task } from './task-schema';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PUBLIC_URL = 'http://tasks.test';

const unavailable = pgbouncerUnavailable() ?? (await postgresUnavailable(ADMIN_URL));
if (unavailable) console.warn(`PgBouncer fault tests skipped: ${unavailable}`);

describe.skipIf(unavailable)('the API through PgBouncer in transaction mode', () => {
  let database: TestDatabase;
  let bouncer: Bouncer;
  /** DATABASE_URL is PgBouncer, DATABASE_DIRECT_URL PostgreSQL. */
  let pooled: ChildServer;
  /** DATABASE_URL is PostgreSQL itself: the other instance, to see revocations cross. */
  let direct: ChildServer;

  beforeAll(async () => {
    database = await createTestDatabase('postgres', ADMIN_URL);
    // PgBouncer refuses any startup parameter it does not know, and the pool sets
    // statement_timeout as one; ignoring it means the timeout is not applied (see README).
    bouncer = await startPgBouncer(database.url ?? '', ['ignore_startup_parameters = statement_timeout']);
    const env = { DATABASE_POOL_MAX: '5', BETTER_AUTH_URL: PUBLIC_URL, REQUEST_DEADLINE_MS: '3000' };
    // Both at once: the migrations of both take the session-level advisory lock, the pooled one's
    // on its direct connection (through PgBouncer the lock stayed on a pooled server connection
    // and the other instance's migration waited for good).
    [direct, pooled] = await Promise.all([
      spawnServer({ ...env, DATABASE_URL: database.url ?? '' }),
      spawnServer({
        ...env,
        DATABASE_URL: bouncer.url,
        DATABASE_DIRECT_URL: database.url ?? '',
        DATABASE_PREPARED_STATEMENTS: 'false',
      }),
    ]);
    await Promise.all([direct.waitForLog(isListeningLine), pooled.waitForLog(isListeningLine)]);
  });
  afterAll(async () => {
    for (const server of [pooled, direct]) {
      if (!server) continue;
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await bouncer?.stop();
    await database?.close();
  });

  const call = async (token: string, path: string, input?: unknown) => {
    const response = await fetch(`${pooled.url}/api/trpc/${path}`, {
      ...(input === undefined
        ? {}
        : { method: 'POST', body: JSON.stringify(input), headers: { 'content-type': 'application/json' } }),
      headers: {
        authorization: `Bearer ${token}`,
        ...(input === undefined ? {} : { 'content-type': 'application/json' }),
      },
    });
    return { status: response.status, body: (await response.json()) as { result: { data: unknown } } };
  };

  it('sign-up, sign-in, token, create, list and toggle work, one request at a time', async () => {
    const at = { url: pooled.url, baseURL: PUBLIC_URL };
    const user = await signUp(at, 'bouncer');
    const token = await getToken(at, await signIn(at, user));

    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const created = await call(token, 'task.create', { title: `through pgbouncer ${i}` });
      expect(created.status).toBe(200);
      ids.push((created.body.result.data as { id: string }).id);
    }
    const listed = await call(token, 'task.list');
    expect(listed.status).toBe(200);
    const items = (listed.body.result.data as { items: { id: string }[] }).items;
    expect(items.map((i) => i.id).sort()).toEqual([...ids].sort());

    const first = ids[0] ?? '';
    expect((await call(token, 'task.toggle', { id: first })).status).toBe(200);
    const [stored] = await database.db
      .select({ completed: task.completed })
      .from(task)
      .where(eq(task.id, first));
    expect(stored?.completed).toBe(true);
  });

  it('a sign-out on the PgBouncer instance reaches the direct instance (NOTIFY is sent in a transaction)', async () => {
    const at = { url: pooled.url, baseURL: PUBLIC_URL };
    const user = await signUp(at, 'bouncer-out');
    const token = await getToken(at, user.cookie);
    const onDirect = async () => {
      const response = await fetch(`${direct.url}/api/trpc/task.list`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await response.body?.cancel();
      return response.status;
    };
    expect(await onDirect()).toBe(200);
    const signOut = await fetch(`${pooled.url}/api/auth/sign-out`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: PUBLIC_URL, cookie: user.cookie },
      body: '{}',
    });
    expect(signOut.status).toBe(200);
    expect((await call(token, 'task.list')).status).toBe(401);
    const ms = await waitFor(async () => (await onDirect()) === 401, {
      timeoutMs: 2_000,
      what: 'signed-out token refused by the direct instance',
    });
    console.log(`PgBouncer: sign-out on the pooled instance reached the direct one in ${Math.round(ms)} ms`);
  });

  it('20 concurrent creates, then 20 concurrent toggles, all answer 200 (prepared statements off)', async () => {
    const at = { url: pooled.url, baseURL: PUBLIC_URL };
    const token = await getToken(at, (await signUp(at, 'bouncer-many')).cookie);
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call(token, 'task.create', { title: `concurrent ${i}` })),
    );
    expect(created.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 200));
    const ids = created.map((r) => (r.body.result.data as { id: string }).id);
    const toggled = await Promise.all(ids.map((id) => call(token, 'task.toggle', { id })));
    expect(toggled.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 200));
  });

  it('a sign-out on the direct instance reaches the PgBouncer instance: its LISTEN is on the direct URL', async () => {
    const user = await signUp({ url: direct.url, baseURL: PUBLIC_URL }, 'bouncer-in');
    const token = await getToken({ url: direct.url, baseURL: PUBLIC_URL }, user.cookie);
    expect((await call(token, 'task.list')).status).toBe(200);
    const signOut = await fetch(`${direct.url}/api/auth/sign-out`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: PUBLIC_URL, cookie: user.cookie },
      body: '{}',
    });
    expect(signOut.status).toBe(200);
    // The periodic resync (60 s) is far off: only the notification can refuse it this soon.
    const ms = await waitFor(async () => (await call(token, 'task.list')).status === 401, {
      timeoutMs: 2_000,
      what: 'signed-out token refused by the PgBouncer instance',
    });
    console.log(`PgBouncer: sign-out on the direct instance reached the pooled one in ${Math.round(ms)} ms`);
  });

  it('a live stream on the PgBouncer instance gets a change made on the direct instance', async () => {
    const at = { url: pooled.url, baseURL: PUBLIC_URL };
    const token = await getToken(at, (await signUp(at, 'bouncer-live')).cookie);
    const abort = new AbortController();
    const stream = await fetch(`${pooled.url}/api/trpc/task.changes?input=%7B%7D`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
      signal: abort.signal,
    });
    expect(stream.status).toBe(200);
    const reader = stream.body?.getReader();
    const decoder = new TextDecoder();
    let received = '';
    const arrived = (async () => {
      while (reader && !received.includes('made directly')) {
        const { done, value } = await reader.read();
        if (done) break;
        received += decoder.decode(value, { stream: true });
      }
    })().catch(() => {});
    const created = await fetch(`${direct.url}/api/trpc/task.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ title: 'made directly' }),
    });
    expect(created.status).toBe(200);
    // Well under the 15 s sweep: the direct instance's NOTIFY reached the pooled one's LISTEN.
    await Promise.race([arrived, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    abort.abort();
    expect(received).toContain('made directly');
    // Nothing was LISTENed through PgBouncer, so no notification landed on a pooled connection.
    expect(bouncer.output.join('')).not.toMatch(/got packet 'A' from server when not linked/);
  });
});
