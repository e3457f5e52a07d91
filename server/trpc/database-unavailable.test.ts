/**
 * A slow, exhausted or vanished database answers clean, prompt 503s (SERVICE_UNAVAILABLE with our
 * own message), never a hang or a 500 with driver text. Needs PostgreSQL: statement timeouts,
 * locks and pools are its features (PGlite has one connection in this process).
 */
import { TRPCError } from '@trpc/server';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../db/client';
import { isDatabaseUnavailable } from '../db/database-error';
import { createTaskQueries } from '../db/task-queries';
import { createTestDatabase, insertUser, type TestDatabase } from '../test/databases';
import { getToken, signUp, startTestServer } from '../test/server';
import { createInnerContext } from './context';
import { createCallerFactory } from './init';
import { appRouter } from './router';

const createCaller = createCallerFactory(appRouter);

/** The error a call failed with, and how long it took. */
async function failure(call: () => Promise<unknown>): Promise<{ error: TRPCError; ms: number }> {
  const started = performance.now();
  try {
    await call();
  } catch (error) {
    if (error instanceof TRPCError) return { error, ms: performance.now() - started };
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe.runIf(process.env.DATABASE_URL)('database unavailable (postgres)', () => {
  let database: TestDatabase;
  /** One pooled connection, statement_timeout 500 ms: easy to exhaust, quick to time out. */
  let tiny: DatabaseHandle;
  let user: { id: string; email: string };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    tiny = await openDatabase({
      kind: 'postgres',
      url: database.url ?? '',
      poolMax: 1,
      statementTimeoutMs: 500,
    });
    user = await insertUser(database, 'slow');
  });
  afterAll(async () => {
    await tiny?.close();
    await database?.close();
  });

  const caller = (deadlineMs: number) =>
    createCaller({
      ...createInnerContext({ tasks: createTaskQueries(tiny, { role: tiny.appRole }), user }),
      deadlineMs,
    });

  it('an exhausted pool (its one connection in pg_sleep) yields a prompt 503 at the request deadline', async () => {
    const sleeping = tiny.db.execute(sql`select pg_sleep(0.45)`).then(() => {});
    const { error, ms } = await failure(() => caller(150).task.list());
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).toBe('The database is unavailable; retry shortly');
    expect(ms).toBeLessThan(400);
    await sleeping;
    // The pool is free again: service resumes.
    expect((await caller(2_000).task.list()).items).toEqual([]);
  });

  it('a statement past statement_timeout (a locked table) is cancelled and answers 503', async () => {
    const locker = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let locking: Promise<unknown> = Promise.resolve();
    await new Promise<void>((locked) => {
      locking = locker.begin(async (tx) => {
        await tx`lock table task in access exclusive mode`;
        locked();
        await held;
      });
    });
    const { error, ms } = await failure(() => caller(5_000).task.create({ title: 'blocked' }));
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).not.toMatch(/statement|cancel|lock|sql|postgres/i);
    expect(isDatabaseUnavailable(error.cause)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(3_000);
    release();
    await locking;
    await locker.end();
  });

  it('over HTTP, a database that went away answers 503 SERVICE_UNAVAILABLE with no driver text', async () => {
    const server = await startTestServer('postgres');
    try {
      const token = await getToken(server, (await signUp(server, 'gone')).cookie);
      await server.database.close();
      const response = await fetch(`${server.url}/api/trpc/task.list`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = await response.text();
      expect(response.status).toBe(503);
      // The keys or the tasks, whichever is read first, find the database gone: either is our 503.
      const parsed = JSON.parse(body) as { error: { message: string; data: { code: string } } };
      expect(parsed.error.data.code).toBe('SERVICE_UNAVAILABLE');
      expect([
        'The database is unavailable; retry shortly',
        'Authentication is temporarily unavailable',
      ]).toContain(parsed.error.message);
      expect(body).not.toMatch(/CONNECTION|ECONN|postgres|select|stack/i);
    } finally {
      await server.close();
    }
  });

  it('over HTTP, the auth endpoints answer a database that went away with a 5xx and no driver text', async () => {
    const server = await startTestServer('postgres');
    try {
      const user = await signUp(server, 'auth-gone');
      await server.database.close();
      const headers = { 'content-type': 'application/json', origin: server.baseURL, cookie: user.cookie };
      const calls: [string, RequestInit][] = [
        [
          '/api/auth/sign-in/email',
          { method: 'POST', headers, body: JSON.stringify({ email: user.email, password: user.password }) },
        ],
        [
          '/api/auth/sign-up/email',
          {
            method: 'POST',
            headers,
            body: JSON.stringify({
              name: 'x',
              email: `x${Date.now()}@example.com`,
              password: 'correct horse battery staple',
            }),
          },
        ],
        ['/api/auth/get-session', { headers }],
        ['/api/auth/token', { headers }],
        ['/api/auth/api-key/list', { headers }],
      ];
      for (const [path, init] of calls) {
        const response = await fetch(`${server.url}${path}`, init);
        const body = await response.text();
        expect({ path, status: response.status >= 500 || response.status === 401 }).toEqual({
          path,
          status: true,
        });
        // Better Auth's own 5xx bodies are replaced: nothing of the failure reaches the client.
        if (response.status >= 500) {
          expect({ path, body: JSON.parse(body) as unknown }).toEqual({
            path,
            body: { message: 'Internal server error', code: 'INTERNAL_SERVER_ERROR' },
          });
        }
      }
    } finally {
      await server.close();
    }
  });
});
