/**
 * The account page's server side, over HTTP: change password keeps this device and ends the
 * others, sessions are listed and ended one by one, and deleting the account (password required,
 * and throttled like every password check) removes its tasks, sessions and tokens everywhere.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { session as sessionTable, user as userTable } from '../db/auth-schema';
import { task } from '../db/task-schema';
import { createApiClient } from '../sdk/api-client';
import { testBackends } from '../test/databases';
import {
  apiStatus,
  getToken,
  sessionCookie,
  signIn,
  signUp,
  startSecondInstance,
  startTestServer,
  type TestServer,
} from '../test/server';
import { waitFor } from '../test/wait';

const PUBLIC_URL = 'http://tasks.test';
const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) Version/18.5 Mobile/15E148 Safari/604.1';

describe.each(testBackends)('account lifecycle on %s', (backend) => {
  let server: TestServer;
  let second: Awaited<ReturnType<typeof startSecondInstance>>;

  const call = (path: string, cookie: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/api/auth${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseURL, cookie, ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const refusedEverywhere = async (token: string) => {
    await waitFor(async () => (await apiStatus(second, token)) === 401, { what: 'token refused' });
    expect(await apiStatus(server, token)).toBe(401);
  };

  beforeAll(async () => {
    server = await startTestServer(backend, { env: { BETTER_AUTH_URL: PUBLIC_URL } });
    second = await startSecondInstance(server, { env: { BETTER_AUTH_URL: PUBLIC_URL } });
  });
  afterAll(async () => {
    await second?.stop();
    await server?.stop();
  });

  it('change password (revokeOtherSessions): this device stays signed in, the others and every old JWT end', async () => {
    const ann = await signUp(server, 'ann');
    const phone = await signIn(server, ann);
    const oldTokens = [await getToken(server, ann.cookie), await getToken(server, phone)];

    const response = await call('/change-password', ann.cookie, {
      currentPassword: ann.password,
      newPassword: 'a different passphrase 1',
      revokeOtherSessions: true,
    });
    expect(response.status).toBe(200);
    const thisDevice = sessionCookie(response);
    expect(thisDevice).toContain('session_token');

    for (const token of oldTokens) await refusedEverywhere(token);
    await expect(getToken(server, phone)).rejects.toThrow(/401/);
    // This device got a new session; a token minted for it now works on both instances.
    const fresh = await getToken(server, thisDevice);
    expect(await apiStatus(second, fresh)).toBe(200);
  });

  it('lists the sessions with their browser, and ends one by its token without touching the other', async () => {
    const bob = await signUp(server, 'bob');
    const phoneSignIn = await fetch(`${server.url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseURL, 'user-agent': PHONE_UA },
      body: JSON.stringify({ email: bob.email, password: bob.password }),
    });
    const phone = sessionCookie(phoneSignIn);
    const phoneToken = await getToken(server, phone);

    const listed = (await (await call('/list-sessions', bob.cookie)).json()) as {
      id: string;
      token: string;
      userAgent: string | null;
    }[];
    expect(listed).toHaveLength(2);
    const phoneSession = listed.find((s) => s.userAgent === PHONE_UA);
    expect(phoneSession).toBeDefined();

    const revoked = await call('/revoke-session', bob.cookie, { token: phoneSession?.token });
    expect(revoked.status).toBe(200);
    await refusedEverywhere(phoneToken);
    await expect(getToken(server, phone)).rejects.toThrow(/401/);
    expect(await apiStatus(server, await getToken(server, bob.cookie))).toBe(200);
  });

  it('refuses to delete an account without its password, or with a wrong one', async () => {
    const cy = await signUp(server, 'cy');
    const none = await call('/delete-user', cy.cookie, {});
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ code: 'PASSWORD_REQUIRED' });
    const wrong = await call('/delete-user', cy.cookie, { password: 'not the password' });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ code: 'INVALID_PASSWORD' });
    const rows = await server.database.db.select().from(userTable).where(eq(userTable.id, cy.id));
    expect(rows).toHaveLength(1);
  });

  it('deletes the account with its password: tasks, sessions and tokens go, on every instance', async () => {
    const dee = await signUp(server, 'dee');
    const laptop = await signIn(server, dee);
    const tokens = [await getToken(server, dee.cookie), await getToken(server, laptop)];
    const api = createApiClient({ baseUrl: server.url, getToken: () => tokens[0] ?? '' });
    await api.task.create.mutate({ title: 'mine' });
    const other = await signUp(server, 'other');
    const otherToken = await getToken(server, other.cookie);
    await createApiClient({ baseUrl: server.url, getToken: () => otherToken }).task.create.mutate({
      title: 'not mine',
    });

    const response = await call('/delete-user', dee.cookie, { password: dee.password });
    expect(response.status).toBe(200);

    for (const token of tokens) await refusedEverywhere(token);
    const db = server.database.db;
    expect(await db.select().from(userTable).where(eq(userTable.id, dee.id))).toEqual([]);
    expect(await db.select().from(sessionTable).where(eq(sessionTable.userId, dee.id))).toEqual([]);
    expect(await db.select().from(task).where(eq(task.userId, dee.id))).toEqual([]);
    expect(await db.select().from(task).where(eq(task.userId, other.id))).toHaveLength(1);
    await expect(signIn(server, dee)).rejects.toThrow(/401/);
    expect(await apiStatus(server, otherToken)).toBe(200);
  });

  it('counts delete-account password guesses in the account’s throttle', async () => {
    const eve = await signUp(server, 'eve');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const response = await call('/delete-user', eve.cookie, { password: `guess ${i}` });
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    // The lock covers sign-in too: the same budget.
    const signInAttempt = await fetch(`${server.url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseURL },
      body: JSON.stringify({ email: eve.email, password: eve.password }),
    });
    expect(signInAttempt.status).toBe(429);
  });
});
