/**
 * The real server on a free port, on a fresh test database, plus the calls a person (or a
 * browser) makes to Better Auth to get a JWT.
 */
import type { DatabaseHandle } from '../db/client';
import { startServer, type RunningServer } from '../http/start-server';
import type { Logger } from '../logger';
import { createTestDatabase, type Backend } from './databases';
import { silentLogger, TEST_SECRET, testEnv } from './env';

export interface TestServer extends RunningServer {
  database: DatabaseHandle;
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

export interface SignedUpUser {
  id: string;
  email: string;
  password: string;
  /** The session cookie(s) Better Auth set, as a Cookie header value. */
  cookie: string;
}

let counter = 0;

/** Signs up through `/api/auth/sign-up/email` as a browser on our origin would. */
export async function signUp(server: RunningServer, name = 'user'): Promise<SignedUpUser> {
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
export async function getToken(server: RunningServer, cookie: string): Promise<string> {
  const response = await fetch(`${server.url}/api/auth/token`, {
    headers: { cookie, origin: server.baseURL },
  });
  if (!response.ok) throw new Error(`token failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}
