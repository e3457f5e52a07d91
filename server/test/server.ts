/**
 * The real server on a free port, on a fresh test database, plus the calls a person (or a
 * browser) makes to Better Auth to get a JWT.
 */
import type { ApiKeyScope } from '../../shared/api-key';
import { openDatabase, type DatabaseHandle } from '../db/client';
import { startServer, type RunningServer } from '../http/start-server';
import type { Logger } from '../logger';
import { createTestDatabase, type Backend, type TestDatabase } from './databases';
import { silentLogger, TEST_SECRET, testEnv } from './env';

export interface TestServer extends RunningServer {
  database: TestDatabase;
  /** Stops the server and drops its database. */
  stop(): Promise<void>;
}

export async function startTestServer(
  backend: Backend,
  opts: { env?: Record<string, string>; log?: Logger; clientDir?: string } = {},
): Promise<TestServer> {
  const database = await createTestDatabase(backend);
  const running = await startServer({
    env: testEnv(opts.env),
    database,
    secret: TEST_SECRET,
    log: opts.log ?? silentLogger(),
    clientDir: opts.clientDir,
  });
  return {
    ...running,
    database,
    async stop() {
      await running.close();
      await database.close();
    },
  };
}

/**
 * Another instance of the API on `first`'s database. On PostgreSQL it opens its own pool and
 * listening connection, as a separate process would; on PGlite (one process by design) it shares
 * the handle. `stop()` leaves the database to `first`. Give both the same BETTER_AUTH_URL, so
 * they share an issuer and audience as instances behind one load balancer do.
 */
export async function startSecondInstance(
  first: TestServer,
  opts: { env?: Record<string, string>; log?: Logger } = {},
): Promise<RunningServer & { database: DatabaseHandle; stop(): Promise<void> }> {
  const own = first.database.kind === 'postgres';
  if (own && !first.database.url) throw new Error('the first instance has no database URL');
  const database: DatabaseHandle =
    own && first.database.url
      ? await openDatabase({ kind: 'postgres', url: first.database.url, poolMax: 5 })
      : first.database;
  const running = await startServer({
    env: testEnv(opts.env),
    database,
    secret: TEST_SECRET,
    log: opts.log ?? silentLogger(),
  });
  return {
    ...running,
    database,
    async stop() {
      await running.close();
      if (own) await database.close();
    },
  };
}

export interface SignedUpUser {
  id: string;
  email: string;
  password: string;
  /** The session cookie(s) Better Auth set, as a Cookie header value. */
  cookie: string;
}

let counter = 0;

/** Signs up through `/api/auth/sign-up/email` as a browser on our origin would. */
export async function signUp(
  server: Pick<RunningServer, 'url' | 'baseURL'>,
  name = 'user',
): Promise<SignedUpUser> {
  counter += 1;
  const email = `${name}-${counter}-${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  const response = await fetch(`${server.url}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.baseURL },
    body: JSON.stringify({ name, email, password }),
  });
  if (!response.ok) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { user: { id: string } };
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';', 1)[0])
    .join('; ');
  return { id: body.user.id, email, password, cookie };
}

/** Exchanges the session cookie for a JWT at `/api/auth/token`. */
export async function getToken(
  server: Pick<RunningServer, 'url' | 'baseURL'>,
  cookie: string,
): Promise<string> {
  const response = await fetch(`${server.url}/api/auth/token`, {
    headers: { cookie, origin: server.baseURL },
  });
  if (!response.ok) throw new Error(`token failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** Signs in again through `/api/auth/sign-in/email`: a second session (another device). */
export async function signIn(
  server: Pick<RunningServer, 'url' | 'baseURL'>,
  user: { email: string; password: string },
): Promise<string> {
  const response = await fetch(`${server.url}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.baseURL },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return sessionCookie(response);
}

/** The session cookie(s) a Better Auth response set, as a Cookie header value. */
export function sessionCookie(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';', 1)[0])
    .join('; ');
}

/** A key as `/api/auth/api-key/create` returns it: the only time `key` (the secret) is shown. */
export interface CreatedApiKey {
  id: string;
  key: string;
  name: string;
  start: string | null;
  expiresAt: string | null;
  permissions: Record<string, string[]> | null;
}

/** Creates an API key as the web client does: the session cookie, our Origin, scopes in metadata. */
export async function createApiKey(
  server: Pick<RunningServer, 'url' | 'baseURL'>,
  owner: { cookie: string },
  {
    name = 'ci',
    scopes = ['tasks:read', 'tasks:write'],
    expiresIn,
  }: { name?: string; scopes?: ApiKeyScope[]; expiresIn?: number } = {},
): Promise<CreatedApiKey> {
  const response = await fetch(`${server.url}/api/auth/api-key/create`, {
    method: 'POST',
    headers: { cookie: owner.cookie, origin: server.baseURL, 'content-type': 'application/json' },
    body: JSON.stringify({ name, metadata: { scopes }, ...(expiresIn === undefined ? {} : { expiresIn }) }),
  });
  if (!response.ok) throw new Error(`API key creation failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as CreatedApiKey;
}

/** The HTTP status of a protected call (`task.list`) made with this bearer token. */
export async function apiStatus(server: RunningServer, token: string): Promise<number> {
  const response = await fetch(`${server.url}/api/trpc/task.list`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.body?.cancel();
  return response.status;
}
