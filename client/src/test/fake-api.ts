/**
 * An in-memory stand-in for the server at the `fetch` boundary (component tests only):
 * Better Auth's endpoints the client uses and tRPC's batch protocol for `task.*`.
 */
import type { z } from 'zod';
import {
  createTaskInput,
  emptyInput,
  listTasksInput,
  taskIdInput,
  updateTaskInput,
} from '../../../shared/task';
import type { Task } from '../lib/trpc';

/** The server's own input schemas: the fake refuses what the real server would. */
const INPUTS: Record<string, z.ZodType> = {
  'task.list': listTasksInput,
  'task.counts': emptyInput,
  'task.get': taskIdInput,
  'task.create': createTaskInput,
  'task.update': updateTaskInput,
  'task.delete': taskIdInput,
  'task.clearCompleted': emptyInput,
};

type Code =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'BAD_REQUEST'
  | 'TOO_MANY_REQUESTS'
  | 'INTERNAL_SERVER_ERROR';

const HTTP_STATUS: Record<Code, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
};

class ProcedureError extends Error {
  constructor(
    readonly code: Code,
    message: string,
  ) {
    super(message);
  }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export interface FakeUser {
  id: string;
  name: string;
  email: string;
  password: string;
}

export function createFakeApi(opts: { tokenTtlSeconds?: number } = {}) {
  const ttl = opts.tokenTtlSeconds ?? 900;
  const users: FakeUser[] = [];
  let signedIn: FakeUser | null = null;
  const validTokens = new Map<string, string>();
  let tasks: Task[] = [];
  let counter = 0;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  /** Planned refusals: procedure path -> error codes to answer with, in order. */
  const refusals = new Map<string, Code[]>();
  let gate: Promise<void> | null = null;
  let rateLimitAuth = false;
  const calls: string[] = [];

  const nextId = () => {
    counter += 1;
    return `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  };

  function issueToken(user: FakeUser): string {
    const iat = Math.floor(Date.now() / 1000);
    const token = `${b64url({ alg: 'none' })}.${b64url({ sub: user.id, email: user.email, iat, exp: iat + ttl })}.sig${counter++}`;
    validTokens.set(token, user.id);
    return token;
  }

  function addTask(userId: string, title: string, extra: Partial<Task> = {}): Task {
    clock += 1000;
    const at = new Date(clock).toISOString();
    const task: Task = {
      id: nextId(),
      userId,
      title,
      description: null,
      completed: false,
      version: 1,
      createdAt: at,
      updatedAt: at,
      ...extra,
    };
    tasks.push(task);
    return task;
  }

  const sorted = (list: Task[]) =>
    [...list].sort((a, b) =>
      a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt),
    );

  function own(userId: string, id: string): Task {
    const task = tasks.find((t) => t.id === id);
    if (!task) throw new ProcedureError('NOT_FOUND', 'Task not found');
    if (task.userId !== userId) throw new ProcedureError('FORBIDDEN', 'This task belongs to another user');
    return task;
  }

  function call(path: string, raw: unknown, userId: string): unknown {
    const parsed = INPUTS[path]?.safeParse(raw);
    if (parsed && !parsed.success) throw new ProcedureError('BAD_REQUEST', parsed.error.message);
    const input = (parsed?.data ?? {}) as Record<string, unknown>;
    const mine = () => tasks.filter((t) => t.userId === userId);
    switch (path) {
      case 'task.list': {
        const status = (input.status as string | undefined) ?? 'all';
        const limit = (input.limit as number | undefined) ?? 50;
        const matching = sorted(mine()).filter(
          (t) => status === 'all' || (status === 'completed') === t.completed,
        );
        const start = input.cursor ? matching.findIndex((t) => t.id === input.cursor) + 1 : 0;
        const page = matching.slice(start, start + limit);
        const more = matching.length > start + limit;
        return { items: page, nextCursor: more ? (page.at(-1)?.id ?? null) : null };
      }
      case 'task.counts': {
        const completed = mine().filter((t) => t.completed).length;
        return { all: mine().length, active: mine().length - completed, completed };
      }
      case 'task.clearCompleted': {
        const ids = mine()
          .filter((t) => t.completed)
          .map((t) => t.id);
        tasks = tasks.filter((t) => !ids.includes(t.id));
        return { deleted: ids.length, ids };
      }
      case 'task.get':
        return own(userId, input.id as string);
      case 'task.create':
        return addTask(userId, input.title as string, {
          description: (input.description as string | null) ?? null,
        });
      case 'task.update': {
        const task = own(userId, input.id as string);
        if (input.version !== undefined && input.version !== task.version) {
          throw new ProcedureError('CONFLICT', 'The task was changed elsewhere');
        }
        Object.assign(task, {
          ...(input.title !== undefined ? { title: input.title } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.completed !== undefined ? { completed: input.completed } : {}),
          version: task.version + 1,
        });
        return { ...task };
      }
      case 'task.delete': {
        const task = own(userId, input.id as string);
        tasks = tasks.filter((t) => t !== task);
        return { id: task.id };
      }
      default:
        throw new ProcedureError('NOT_FOUND', `No procedure ${path}`);
    }
  }

  async function handleTrpc(url: URL, init: RequestInit | undefined, headers: Headers): Promise<Response> {
    if (gate) await gate;
    const paths = url.pathname.replace('/api/trpc/', '').split(',');
    const raw = init?.method === 'POST' ? (init.body as string) : (url.searchParams.get('input') ?? '{}');
    const inputs = JSON.parse(raw) as Record<string, unknown>;
    const token = headers.get('authorization')?.replace(/^Bearer /, '');
    const userId = token ? validTokens.get(token) : undefined;
    const results = paths.map((path, i) => {
      calls.push(path);
      try {
        const planned = refusals.get(path)?.shift();
        if (planned) throw new ProcedureError(planned, `Refused: ${planned}`);
        if (!userId) throw new ProcedureError('UNAUTHORIZED', 'Authentication required');
        return { result: { data: call(path, inputs[String(i)], userId) } };
      } catch (error) {
        const e =
          error instanceof ProcedureError
            ? error
            : new ProcedureError('INTERNAL_SERVER_ERROR', 'Internal server error');
        return {
          error: {
            message: e.message,
            code: -32000,
            data: { code: e.code, httpStatus: HTTP_STATUS[e.code], path, zodError: null },
          },
        };
      }
    });
    const failed = results.some((r) => 'error' in r);
    return json(failed ? 207 : 200, results);
  }

  async function handleAuth(url: URL, init: RequestInit | undefined): Promise<Response> {
    const body = init?.body ? (JSON.parse(init.body as string) as Record<string, string>) : {};
    switch (url.pathname) {
      case '/api/auth/get-session':
        if (!signedIn) return json(200, null);
        return new Response(
          JSON.stringify({
            session: { userId: signedIn.id },
            user: { id: signedIn.id, email: signedIn.email },
          }),
          {
            status: 200,
            headers: { 'content-type': 'application/json', 'set-auth-jwt': issueToken(signedIn) },
          },
        );
      case '/api/auth/token':
        return signedIn ? json(200, { token: issueToken(signedIn) }) : json(401, { message: 'Unauthorized' });
      case '/api/auth/sign-in/email': {
        if (rateLimitAuth) return json(429, { message: 'Too many requests. Please try again later.' });
        const user = users.find((u) => u.email === body.email && u.password === body.password);
        if (!user)
          return json(401, { code: 'INVALID_EMAIL_OR_PASSWORD', message: 'Invalid email or password' });
        signedIn = user;
        return json(200, {
          redirect: false,
          token: 'session',
          user: { id: user.id, email: user.email, name: user.name },
        });
      }
      case '/api/auth/sign-up/email': {
        if (rateLimitAuth) return json(429, { message: 'Too many requests. Please try again later.' });
        if (users.some((u) => u.email === body.email)) {
          return json(422, {
            code: 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL',
            message: 'User already exists. Use another email.',
          });
        }
        const user = {
          id: `user-${users.length + 1}`,
          name: body.name ?? '',
          email: body.email ?? '',
          password: body.password ?? '',
        };
        users.push(user);
        signedIn = user;
        return json(200, { token: 'session', user: { id: user.id, email: user.email, name: user.name } });
      }
      case '/api/auth/sign-out':
        signedIn = null;
        return json(200, { success: true });
      default:
        return json(404, { message: 'Not found' });
    }
  }

  const fetchImpl: typeof fetch = async (input, init) => {
    const request = input instanceof Request ? input : null;
    const url = new URL(request ? request.url : String(input), 'http://localhost:3000');
    const headers = new Headers(init?.headers ?? request?.headers);
    const body = init?.body ?? (request && request.method !== 'GET' ? await request.text() : undefined);
    const merged: RequestInit = { ...init, method: init?.method ?? request?.method ?? 'GET', body };
    if (url.pathname.startsWith('/api/trpc/')) return handleTrpc(url, merged, headers);
    if (url.pathname.startsWith('/api/auth/')) return handleAuth(url, merged);
    return json(404, { message: 'Not found' });
  };

  return {
    fetch: fetchImpl,
    calls,
    get tasks() {
      return tasks;
    },
    addUser(user: Omit<FakeUser, 'id'>): FakeUser {
      const created = { ...user, id: `user-${users.length + 1}` };
      users.push(created);
      return created;
    },
    signInAs(user: FakeUser | null) {
      signedIn = user;
    },
    /** Makes every token issued so far invalid (as after a key rotation or expiry). */
    expireTokens() {
      validTokens.clear();
    },
    addTask,
    /** The next calls of `path` fail with these codes, one per call. */
    refuse(path: string, ...codes: Code[]) {
      refusals.set(path, [...(refusals.get(path) ?? []), ...codes]);
    },
    /** Holds every tRPC response until the returned function is called. */
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
  };
}

export type FakeApi = ReturnType<typeof createFakeApi>;
