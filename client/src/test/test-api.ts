/**
 * The component tests' server: the real `appRouter` behind tRPC's fetch adapter, over an in-memory
 * PGlite with the real migrations, at the `fetch` boundary. Only what a jsdom test cannot run is
 * faked: Better Auth (a few endpoints with a plain-text password table and unsigned tokens, which
 * the client reads but never verifies, and API keys held in memory) and failures (a planned database error on the next call).
 * One database per test file (opening one takes seconds); `beforeEach` empties it.
 */
import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { TRPC_MAX_BATCH, TRPC_PATH } from '../../../shared/api';
import { z } from 'zod';
import {
  API_KEY_PREFIX,
  API_KEY_SCOPES,
  apiKeyRequestSchema,
  scopesToPermissions,
} from '../../../shared/api-key';
import { parseBearer, type TokenUser } from '../../../server/auth/verify-jwt';
import { user as userTable } from '../../../server/db/auth-schema';
import { createTaskQueries, type TaskQueries } from '../../../server/db/task-queries';
import { task as taskTable, type TaskRow } from '../../../server/db/task-schema';
import { createTestDatabase, type TestDatabase } from '../../../server/test/databases';
import { createInnerContext } from '../../../server/trpc/context';
import { createCallerFactory } from '../../../server/trpc/init';
import { appRouter } from '../../../server/trpc/router';
import type { Task } from '../lib/trpc';

/** The key the database gives a task created at `at` (migration 0011): the list shows it by time. */
const positionAt = (at: Date) => sql`task_position_at(${at.toISOString()}::timestamptz, 'V')`;

export interface TestUser {
  id: string;
  name: string;
  email: string;
  password: string;
}

/** A failure the next call of a task query meets: a lost database by default. */
type Failure = 'database' | TRPCError['code'];

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** Better Auth's limiter, with the `Retry-After` our server adds (server/http/app.ts). */
const tooMany = () =>
  json(
    429,
    { message: 'Too many requests. Please try again later.' },
    { 'retry-after': '90', 'x-retry-after': '90' },
  );

const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** What the fake API-key endpoints accept, as the real plugin plus our scopes rule (api-keys.ts). */
const fakeCreateBody = z.object({
  name: z.string().min(1),
  expiresIn: z.number().positive().optional(),
  metadata: apiKeyRequestSchema,
});

interface FakeApiKey {
  id: string;
  referenceId: string;
  name: string;
  start: string;
  createdAt: string;
  updatedAt: string;
  lastRequest: string | null;
  expiresAt: string | null;
  enabled: boolean;
  permissions: ReturnType<typeof scopesToPermissions>;
}

const toTask = (row: TaskRow): Task => ({
  ...row,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const createCaller = createCallerFactory(appRouter);

/**
 * Registers the file's hooks and returns the test server. Call once, at the top of a test file.
 */
export function useTestApi(opts: { tokenTtlSeconds?: number } = {}) {
  const ttl = opts.tokenTtlSeconds ?? 900;
  let database: TestDatabase | null = null;
  let queries: TaskQueries | null = null;
  const passwords = new Map<string, TestUser>();
  const validTokens = new Map<string, TokenUser>();
  const failures = new Map<keyof TaskQueries, Failure[]>();
  const calls: string[] = [];
  let signedIn: TestUser | null = null;
  let gate: Promise<void> | null = null;
  let rateLimitAuth = false;
  /** API keys by id, as Better Auth's API-key plugin would list them (the secret only at creation). */
  const apiKeys = new Map<string, FakeApiKey>();
  /** Reset tokens not yet used -> the email they reset. */
  const resetTokens = new Map<string, string>();
  const resetRequests: string[] = [];
  /** Emails not yet verified (everyone else is), and the verification mails asked for. */
  const unverified = new Set<string>();
  const verificationRequests: string[] = [];
  /** The signed-in user's sessions as Better Auth lists them; `current` is this browser's. */
  interface FakeSession {
    id: string;
    token: string;
    userAgent: string;
    createdAt: string;
    updatedAt: string;
  }
  const CURRENT: FakeSession = {
    id: 'current-session',
    token: 'current-token',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0.0.0 Safari/537.36',
    createdAt: '2026-01-01T10:00:00Z',
    updatedAt: '2026-01-02T10:00:00Z',
  };
  let sessions: FakeSession[] = [];
  let clock = Date.parse('2026-01-01T00:00:00Z');
  let tokenCounter = 0;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    queries = createTaskQueries(database, { role: database.appRole });
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    // Deleting the users deletes their tasks (ON DELETE CASCADE).
    await db().execute(sql`truncate table ${userTable} cascade`);
    passwords.clear();
    validTokens.clear();
    failures.clear();
    calls.length = 0;
    signedIn = null;
    gate = null;
    rateLimitAuth = false;
    apiKeys.clear();
    resetTokens.clear();
    resetRequests.length = 0;
    unverified.clear();
    verificationRequests.length = 0;
    sessions = [CURRENT];
  });

  const db = () => {
    if (!database) throw new Error('useTestApi: the database is opened in beforeAll');
    return database.db;
  };

  const realQueries = (): TaskQueries => {
    if (!queries) throw new Error('useTestApi: the database is opened in beforeAll');
    return queries;
  };

  /** What the served router uses: the real queries, except that a planned failure is thrown. */
  const tasks = (): TaskQueries =>
    new Proxy(realQueries(), {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]): unknown => {
          // A keyed add (every add from the app) runs `createOnce`: it fails as `create` planned.
          const planned = name === 'createOnce' ? 'create' : name;
          const failure = failures.get(planned as keyof TaskQueries)?.shift();
          if (failure === 'database') return Promise.reject(new Error('connection terminated'));
          if (failure)
            return Promise.reject(new TRPCError({ code: failure, message: `Refused: ${failure}` }));
          return Reflect.apply(value, target, args);
        };
      },
    });

  function issueToken(user: TestUser): string {
    const iat = Math.floor(Date.now() / 1000);
    tokenCounter += 1;
    const payload = { sub: user.id, email: user.email, iat, exp: iat + ttl };
    const token = `${b64url({ alg: 'none' })}.${b64url(payload)}.test${tokenCounter}`;
    validTokens.set(token, { id: user.id, email: user.email, scopes: API_KEY_SCOPES });
    return token;
  }

  async function insertUser(fields: Omit<TestUser, 'id'>): Promise<TestUser> {
    const created = { ...fields, id: randomUUID() };
    await db().insert(userTable).values({ id: created.id, name: created.name, email: created.email });
    passwords.set(created.email, created);
    return created;
  }

  async function handleTrpc(request: Request): Promise<Response> {
    if (gate) await gate;
    const paths = new URL(request.url).pathname.slice(`${TRPC_PATH}/`.length).split(',');
    calls.push(...paths);
    const token = parseBearer(request.headers.get('authorization') ?? undefined);
    return fetchRequestHandler({
      endpoint: TRPC_PATH,
      req: request,
      router: appRouter,
      maxBatchSize: TRPC_MAX_BATCH,
      createContext: () =>
        createInnerContext({ tasks: tasks(), user: (token && validTokens.get(token)) || null }),
    });
  }

  /** The endpoints of Better Auth that the client calls, answering as Better Auth does. */
  async function handleAuth(request: Request): Promise<Response> {
    const raw: unknown = request.method === 'POST' ? await request.json() : {};
    const body = raw as Partial<Record<string, string>>;
    switch (new URL(request.url).pathname) {
      case '/api/auth/get-session':
        if (!signedIn) return json(200, null);
        return json(
          200,
          {
            session: { id: CURRENT.id, userId: signedIn.id },
            user: {
              id: signedIn.id,
              email: signedIn.email,
              name: signedIn.name,
              emailVerified: !unverified.has(signedIn.email),
            },
          },
          { 'set-auth-jwt': issueToken(signedIn) },
        );
      case '/api/auth/token':
        return signedIn ? json(200, { token: issueToken(signedIn) }) : json(401, { message: 'Unauthorized' });
      case '/api/auth/sign-in/email': {
        if (rateLimitAuth) return tooMany();
        const found = passwords.get(body.email ?? '');
        if (!found || found.password !== body.password) {
          return json(401, { code: 'INVALID_EMAIL_OR_PASSWORD', message: 'Invalid email or password' });
        }
        signedIn = found;
        return json(200, { redirect: false, token: 'session', user: { id: found.id, email: found.email } });
      }
      case '/api/auth/sign-up/email': {
        if (rateLimitAuth) return tooMany();
        if (passwords.has(body.email ?? '')) {
          return json(422, {
            code: 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL',
            message: 'User already exists. Use another email.',
          });
        }
        const created = await insertUser({
          name: body.name ?? '',
          email: body.email ?? '',
          password: body.password ?? '',
        });
        signedIn = created;
        return json(200, { token: 'session', user: { id: created.id, email: created.email } });
      }
      case '/api/auth/sign-out':
        signedIn = null;
        return json(200, { success: true });
      case '/api/auth/api-key/create': {
        if (!signedIn) return json(401, { message: 'Unauthorized' });
        const input = fakeCreateBody.safeParse(raw);
        if (!input.success) {
          return json(400, {
            code: 'INVALID_SCOPES',
            message: 'Choose at least one scope: tasks:read, tasks:write',
          });
        }
        const now = new Date(clock);
        const secret = `${API_KEY_PREFIX}${randomUUID().replace(/-/g, '')}`;
        const created: FakeApiKey = {
          id: randomUUID(),
          referenceId: signedIn.id,
          name: input.data.name,
          start: secret.slice(0, 6),
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
          lastRequest: null,
          expiresAt: input.data.expiresIn
            ? new Date(clock + input.data.expiresIn * 1000).toISOString()
            : null,
          enabled: true,
          permissions: scopesToPermissions(input.data.metadata.scopes),
        };
        apiKeys.set(created.id, created);
        return json(200, { ...created, key: secret });
      }
      case '/api/auth/api-key/list': {
        if (!signedIn) return json(401, { message: 'Unauthorized' });
        const owner = signedIn.id;
        const mine = [...apiKeys.values()].filter((k) => k.referenceId === owner);
        return json(200, { apiKeys: mine, total: mine.length });
      }
      case '/api/auth/api-key/delete': {
        const found = apiKeys.get(typeof body.keyId === 'string' ? body.keyId : '');
        if (!signedIn || !found || found.referenceId !== signedIn.id) {
          return json(404, { code: 'KEY_NOT_FOUND', message: 'API Key not found' });
        }
        apiKeys.delete(found.id);
        return json(200, { success: true });
      }
      case '/api/auth/send-verification-email':
        if (rateLimitAuth) return tooMany();
        verificationRequests.push(body.email ?? '');
        return json(200, { status: true });
      case '/api/auth/request-password-reset':
        if (rateLimitAuth) return tooMany();
        resetRequests.push(body.email ?? '');
        return json(200, {
          status: true,
          message: 'If this email exists in our system, check your email for the reset link',
        });
      case '/api/auth/reset-password': {
        const email = resetTokens.get(body.token ?? '');
        const found = email === undefined ? undefined : passwords.get(email);
        if (!found) return json(400, { code: 'INVALID_TOKEN', message: 'Invalid token' });
        if ((body.newPassword ?? '').length < 8) {
          return json(400, { code: 'PASSWORD_TOO_SHORT', message: 'Password too short' });
        }
        resetTokens.delete(body.token ?? '');
        found.password = body.newPassword ?? '';
        signedIn = null;
        return json(200, { status: true });
      }
      case '/api/auth/change-password': {
        if (!signedIn) return json(401, { message: 'Unauthorized' });
        if (rateLimitAuth) return tooMany();
        if (body.currentPassword !== signedIn.password) {
          return json(400, { code: 'INVALID_PASSWORD', message: 'Invalid password' });
        }
        signedIn.password = body.newPassword ?? '';
        sessions = sessions.filter((s) => s.id === CURRENT.id);
        return json(200, { token: 'session', user: { id: signedIn.id, email: signedIn.email } });
      }
      case '/api/auth/list-sessions':
        return signedIn ? json(200, sessions) : json(401, { message: 'Unauthorized' });
      case '/api/auth/revoke-session':
        sessions = sessions.filter((s) => s.token !== body.token);
        return json(200, { status: true });
      case '/api/auth/revoke-other-sessions':
        sessions = sessions.filter((s) => s.id === CURRENT.id);
        return json(200, { status: true });
      case '/api/auth/delete-user': {
        if (!signedIn) return json(401, { message: 'Unauthorized' });
        if (body.password !== signedIn.password) {
          return json(400, { code: 'INVALID_PASSWORD', message: 'Invalid password' });
        }
        // Deleting the user deletes their tasks (ON DELETE CASCADE), as on the real server.
        await db().delete(userTable).where(eq(userTable.id, signedIn.id));
        passwords.delete(signedIn.email);
        signedIn = null;
        return json(200, { success: true, message: 'User deleted' });
      }
      default:
        return json(404, { message: 'Not found' });
    }
  }

  /** Procedures whose next answer is dropped after the server has handled the call. */
  const lostAnswers: string[] = [];

  const fetchImpl: typeof fetch = async (input, init) => {
    const source = input instanceof Request ? input : null;
    const url = new URL(source ? source.url : String(input), 'http://localhost:3000');
    const method = init?.method ?? source?.method ?? 'GET';
    // A new Request without the caller's AbortSignal: jsdom's is not the one Node's Request takes.
    const request = new Request(url, {
      method,
      headers: new Headers(init?.headers ?? source?.headers),
      body: method === 'GET' ? undefined : (init?.body ?? (source ? await source.text() : undefined)),
    });
    if (url.pathname.startsWith(`${TRPC_PATH}/`)) {
      const response = await handleTrpc(request);
      const lost = lostAnswers.findIndex((path) => url.pathname.includes(path));
      if (lost === -1) return response;
      // The server did the work; its answer never arrives (a dropped connection).
      lostAnswers.splice(lost, 1);
      throw new TypeError('Failed to fetch');
    }
    if (url.pathname.startsWith('/api/auth/')) return handleAuth(request);
    return json(404, { message: 'Not found' });
  };

  return {
    fetch: fetchImpl,
    /** The tRPC procedures called so far in this test, in order (one entry per batched call). */
    calls,
    /** A user who can sign in with this password. */
    addUser: insertUser,
    /** The real procedures, called as `user` would from another tab or device. */
    as: (user: TestUser) => createCaller(createInnerContext({ tasks: realQueries(), user })),
    /** Inserts a task, each one a second newer than the last (so the order is known). */
    async addTask(
      userId: string,
      title: string,
      extra: Partial<Pick<Task, 'description' | 'completed' | 'dueOn'>> = {},
    ): Promise<Task> {
      clock += 1000;
      const at = new Date(clock);
      const [row] = await db()
        .insert(taskTable)
        .values({ userId, title, ...extra, createdAt: at, updatedAt: at, position: positionAt(at) })
        .returning();
      if (!row) throw new Error('insert returned no row');
      return toTask(row);
    },
    /** `count` tasks in one statement, titled by `title(i)`, for i = 1..count (oldest first). */
    async addTasks(
      userId: string,
      count: number,
      title: (i: number) => string,
      completed = (_i: number) => false,
    ) {
      const rows = Array.from({ length: count }, (_, index) => {
        clock += 1000;
        const at = new Date(clock);
        return {
          userId,
          title: title(index + 1),
          completed: completed(index + 1),
          createdAt: at,
          updatedAt: at,
          position: positionAt(at),
        };
      });
      await db().insert(taskTable).values(rows);
    },
    /** Every live task in the database (deleted ones are restorable, not there: D34), oldest first. */
    async tasks(): Promise<Task[]> {
      const rows = await db()
        .select()
        .from(taskTable)
        .where(isNull(taskTable.deletedAt))
        .orderBy(taskTable.createdAt, taskTable.id);
      return rows.map(toTask);
    },
    /** Hands a task to another account (no procedure does that; a stale list can show it). */
    async giveTask(id: string, userId: string): Promise<void> {
      await db().update(taskTable).set({ userId }).where(eq(taskTable.id, id));
    },
    /** The API keys the fake Better Auth holds (no secrets). */
    apiKeys: () => [...apiKeys.values()],
    /** Records a use of the key now (what an exchange does on the real server). */
    useApiKey(id: string) {
      const found = apiKeys.get(id);
      if (found) found.lastRequest = new Date(clock).toISOString();
    },
    signInAs(user: TestUser | null) {
      signedIn = user;
    },
    /** Makes every token issued so far invalid (as after a key rotation or expiry). */
    expireTokens() {
      validTokens.clear();
    },
    /** The next calls of this task query fail, one failure per call, before touching the database. */
    failNext(query: keyof TaskQueries, ...planned: Failure[]) {
      failures.set(query, [
        ...(failures.get(query) ?? []),
        ...(planned.length ? planned : ['database' as const]),
      ]);
    },
    /** The next answer to a call of `path` (e.g. `task.create`) is lost after the server handled it. */
    loseNextAnswer(path: string) {
      lostAnswers.push(path);
    },
    /** Holds every tRPC request until the returned function is called. */
    hold(): () => void {
      let release = () => {};
      gate = new Promise<void>((resolve) => {
        release = () => {
          gate = null;
          resolve();
        };
      });
      return release;
    },
    rateLimitAuth(on: boolean) {
      rateLimitAuth = on;
    },
    /** A reset link's token for this user, as the mail would carry. */
    issueResetToken(user: TestUser): string {
      const token = `reset-${randomUUID()}`;
      resetTokens.set(token, user.email);
      return token;
    },
    /** The emails reset links were asked for. */
    resetRequests,
    /** This user's email is not verified yet. */
    markUnverified(user: TestUser) {
      unverified.add(user.email);
    },
    verificationRequests,
    /** Another device signed in to the account. */
    addSession(userAgent: string, at = '2026-01-03T09:00:00Z') {
      const id = `session-${randomUUID()}`;
      sessions.push({ id, token: `token-${id}`, userAgent, createdAt: at, updatedAt: at });
    },
    sessions: () => sessions.map((s) => s.id),
    passwordOf: (email: string) => passwords.get(email)?.password,
  };
}

export type TestApi = ReturnType<typeof useTestApi>;
