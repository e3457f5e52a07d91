/**
 * API keys over HTTP on the real server: a user creates a key (Better Auth's API-key plugin), a
 * service exchanges it at /api/auth/api-key/token for the same kind of JWT a browser gets, the
 * key's scopes are enforced on every procedure, and deleting the key stops its JWTs on every
 * instance.
 */
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_TOKEN_PATH } from '../../shared/api-key';
import { apikey } from '../db/api-key-schema';
import { user as userTable } from '../db/auth-schema';
import { tokenRevocation } from '../db/revocation-schema';
import { testBackends } from '../test/databases';
import {
  apiStatus,
  createApiKey,
  getToken,
  signUp,
  startSecondInstance,
  startTestServer,
  type SignedUpUser,
  type TestServer,
} from '../test/server';
import { waitFor } from '../test/wait';
import { API_KEY_EXCHANGES_PER_WINDOW, apiKeySessionId } from './api-keys';

type Server = Pick<TestServer, 'url' | 'baseURL'>;

const createKey = createApiKey;

function authPost(server: Server, owner: SignedUpUser, path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}/api/auth${path}`, {
    method: 'POST',
    headers: { cookie: owner.cookie, origin: server.baseURL, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** What a service does: POST the key in a header, no cookie, no Origin. */
function exchange(
  server: Server,
  headers: Record<string, string>,
  path = API_KEY_TOKEN_PATH,
): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: 'POST', headers });
}

async function tokenFor(server: Server, key: string): Promise<string> {
  const response = await exchange(server, { 'x-api-key': key });
  if (!response.ok) throw new Error(`exchange failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

/** A tRPC call over HTTP: status, error code and message (or data). */
async function call(
  server: Server,
  token: string,
  path: string,
  input?: unknown,
  type: 'query' | 'mutation' = 'query',
): Promise<{ status: number; code?: string; message?: string; data?: unknown }> {
  const url = `${server.url}/api/trpc/${path}`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const response =
    type === 'query'
      ? await fetch(input === undefined ? url : `${url}?input=${encodeURIComponent(JSON.stringify(input))}`, {
          headers,
        })
      : await fetch(url, { method: 'POST', headers, body: JSON.stringify(input ?? {}) });
  const body = (await response.json()) as {
    result?: { data: unknown };
    error?: { message: string; data: { code: string } };
  };
  return {
    status: response.status,
    code: body.error?.data.code,
    message: body.error?.message,
    data: body.result?.data,
  };
}

async function listKeys(
  server: Server,
  owner: SignedUpUser,
): Promise<Array<{ id: string; lastRequest: string | null }>> {
  const response = await fetch(`${server.url}/api/auth/api-key/list`, {
    headers: { cookie: owner.cookie, origin: server.baseURL },
  });
  const body = (await response.json()) as { apiKeys: Array<{ id: string; lastRequest: string | null }> };
  return body.apiKeys;
}

describe.each(testBackends)('API keys on %s', (backend) => {
  let server: TestServer;
  let ann: SignedUpUser;

  beforeAll(async () => {
    server = await startTestServer(backend);
    ann = await signUp(server, 'ann');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lives its life: created once in clear, stored hashed, exchanged, used, last use recorded, deleted', async () => {
    const created = await createKey(server, ann, { name: 'nightly report' });
    expect(created.key).toMatch(/^tm_[A-Za-z]{64}$/);
    expect(created.permissions).toEqual({ tasks: ['read', 'write'] });

    // Only a hash is stored; listing never shows the secret again.
    const [row] = await server.database.db.select().from(apikey).where(eq(apikey.id, created.id));
    expect(row?.key).not.toContain(created.key);
    expect(row?.key).toBe(createHash('sha256').update(created.key).digest('base64url'));
    const listed = await fetch(`${server.url}/api/auth/api-key/list`, {
      headers: { cookie: ann.cookie, origin: server.baseURL },
    }).then((r) => r.text());
    expect(listed).not.toContain(created.key);
    expect((await listKeys(server, ann)).find((k) => k.id === created.id)?.lastRequest).toBeNull();

    const response = await exchange(server, { 'x-api-key': created.key });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as {
      token: string;
      expiresAt: string;
      expiresIn: number;
      scope: string;
    };
    expect(body.scope).toBe('tasks:read tasks:write');
    expect(body.expiresIn).toBe(900);
    const claims = claimsOf(body.token);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'email', 'exp', 'iat', 'iss', 'scope', 'sid', 'sub']);
    expect(claims).toMatchObject({
      sub: ann.id,
      email: ann.email,
      sid: apiKeySessionId(created.id),
      scope: 'tasks:read tasks:write',
      iss: server.baseURL,
      aud: server.baseURL,
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(900);
    expect(Date.parse(body.expiresAt)).toBe(Number(claims.exp) * 1000);

    const task = await call(server, body.token, 'task.create', { title: 'from a service' }, 'mutation');
    expect(task.status).toBe(200);
    expect(await call(server, body.token, 'task.list')).toMatchObject({ status: 200 });
    expect((await listKeys(server, ann)).find((k) => k.id === created.id)?.lastRequest).not.toBeNull();

    // Authorization: Bearer <key> is accepted too.
    expect((await exchange(server, { authorization: `Bearer ${created.key}` })).status).toBe(200);

    const deleted = await authPost(server, ann, '/api-key/delete', { keyId: created.id });
    expect(deleted.status).toBe(200);
    expect(await apiStatus(server, body.token)).toBe(401);
    expect((await exchange(server, { 'x-api-key': created.key })).status).toBe(401);
  });

  it('enforces scopes on every procedure: a read-only key reads and is FORBIDDEN to write', async () => {
    const full = await tokenFor(server, (await createKey(server, ann)).key);
    const readOnly = await tokenFor(server, (await createKey(server, ann, { scopes: ['tasks:read'] })).key);
    const writeOnly = await tokenFor(server, (await createKey(server, ann, { scopes: ['tasks:write'] })).key);
    const created = await call(server, full, 'task.create', { title: 'scoped' }, 'mutation');
    const { id } = created.data as { id: string };

    for (const [path, input] of [
      ['task.list', undefined],
      ['task.counts', undefined],
      ['task.get', { id }],
    ] as const) {
      expect(await call(server, readOnly, path, input)).toMatchObject({ status: 200 });
      expect(await call(server, writeOnly, path, input)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    }
    for (const [path, input] of [
      ['task.create', { title: 'nope' }],
      ['task.update', { id, title: 'nope' }],
      ['task.toggle', { id }],
      ['task.delete', { id }],
      ['task.clearCompleted', {}],
    ] as const) {
      expect(await call(server, readOnly, path, input, 'mutation')).toEqual({
        status: 403,
        code: 'FORBIDDEN',
        message: 'This API key is read-only: changing tasks needs the tasks:write scope',
        data: undefined,
      });
    }
    // Nothing changed, and the full key can still do all of it.
    expect(await call(server, full, 'task.get', { id })).toMatchObject({
      data: { title: 'scoped', version: 1 },
    });
    expect(await call(server, full, 'task.toggle', { id }, 'mutation')).toMatchObject({ status: 200 });
    expect(await call(server, full, 'task.clearCompleted', {}, 'mutation')).toMatchObject({ status: 200 });
  });

  it('refuses unknown, malformed, missing, expired, disabled and deleted keys with one generic 401', async () => {
    const expired = await createKey(server, ann, { name: 'expired' });
    await server.database.db
      .update(apikey)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apikey.id, expired.id));
    const disabled = await createKey(server, ann, { name: 'disabled' });
    await server.database.db.update(apikey).set({ enabled: false }).where(eq(apikey.id, disabled.id));
    const deleted = await createKey(server, ann, { name: 'deleted' });
    await authPost(server, ann, '/api-key/delete', { keyId: deleted.id });
    const valid = await createKey(server, ann, { name: 'valid' });

    const attempts: Array<Record<string, string>> = [
      {},
      { 'x-api-key': `tm_${'a'.repeat(64)}` }, // well formed, unknown
      { 'x-api-key': `${valid.key}x` },
      { 'x-api-key': 'short' },
      { 'x-api-key': `${valid.key.slice(0, 20)}'; drop table apikey; --` },
      { authorization: `Basic ${Buffer.from(`x:${valid.key}`).toString('base64')}` },
      { cookie: ann.cookie, origin: server.baseURL }, // a session is not a key
      { 'x-api-key': expired.key },
      { 'x-api-key': disabled.key },
      { 'x-api-key': deleted.key },
    ];
    const bodies = new Set<string>();
    for (const headers of attempts) {
      const response = await exchange(server, headers);
      expect(response.status, JSON.stringify(Object.keys(headers))).toBe(401);
      bodies.add(await response.text());
    }
    expect([...bodies]).toEqual([
      JSON.stringify({ code: 'INVALID_API_KEY', message: 'Invalid or expired API key' }),
    ]);
    // A key in the URL is not read.
    const inUrl = await exchange(server, {}, `${API_KEY_TOKEN_PATH}?key=${valid.key}&x-api-key=${valid.key}`);
    expect(inUrl.status).toBe(401);
    // The expired key was removed by the plugin when presented.
    expect(await server.database.db.select().from(apikey).where(eq(apikey.id, expired.id))).toEqual([]);
  });

  it('never mints a token that outlives its key', async () => {
    const soon = await createKey(server, ann, { name: 'short-lived', expiresIn: 24 * 3600 });
    const endsAt = Math.floor(Date.now() / 1000) + 120;
    await server.database.db
      .update(apikey)
      .set({ expiresAt: new Date(endsAt * 1000) })
      .where(eq(apikey.id, soon.id));
    const claims = claimsOf(await tokenFor(server, soon.key));
    expect(Number(claims.exp)).toBeLessThanOrEqual(endsAt);
    expect(Number(claims.exp)).toBeGreaterThan(Number(claims.iat));
  });

  it('refuses to create a key without a scope, and lets a browser change only the name', async () => {
    const none = await authPost(server, ann, '/api-key/create', { name: 'x', metadata: { scopes: [] } });
    expect(none.status).toBe(400);
    const missing = await authPost(server, ann, '/api-key/create', { name: 'x' });
    expect(missing.status).toBe(400);
    const forged = await authPost(server, ann, '/api-key/create', {
      name: 'x',
      permissions: { tasks: ['read', 'write'] },
    });
    expect(forged.status).toBe(400);

    const key = await createKey(server, ann, { scopes: ['tasks:read'] });
    for (const change of [
      { enabled: true },
      { expiresIn: 400 * 86400 },
      { metadata: { scopes: ['tasks:write'] } },
    ]) {
      expect((await authPost(server, ann, '/api-key/update', { keyId: key.id, ...change })).status).toBe(400);
    }
    expect((await authPost(server, ann, '/api-key/update', { keyId: key.id, name: 'renamed' })).status).toBe(
      200,
    );
    expect(claimsOf(await tokenFor(server, key.key)).scope).toBe('tasks:read');
  });

  it("keeps users apart: a key reads only its owner's tasks and only its owner can delete it", async () => {
    const bob = await signUp(server, 'bob');
    const bobToken = await getToken(server, bob.cookie);
    const bobsTask = await call(server, bobToken, 'task.create', { title: 'bob only' }, 'mutation');
    const { id } = bobsTask.data as { id: string };

    const annKey = await createKey(server, ann);
    const annToken = await tokenFor(server, annKey.key);
    expect(await call(server, annToken, 'task.get', { id })).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
    expect(await call(server, annToken, 'task.delete', { id }, 'mutation')).toMatchObject({ status: 403 });
    const list = await call(server, annToken, 'task.list', { limit: 100 });
    expect((list.data as { items: Array<{ userId: string }> }).items.every((t) => t.userId === ann.id)).toBe(
      true,
    );

    // Bob cannot delete (or revoke the tokens of) Ann's key.
    const attempt = await authPost(server, bob, '/api-key/delete', { keyId: annKey.id });
    expect(attempt.status).toBeGreaterThanOrEqual(400);
    expect(await apiStatus(server, annToken)).toBe(200);
    expect((await exchange(server, { 'x-api-key': annKey.key })).status).toBe(200);
  });

  it('rate limits exchanges per key with 429 and Retry-After', async () => {
    const key = await createKey(server, ann, { name: 'busy' });
    for (let i = 0; i < API_KEY_EXCHANGES_PER_WINDOW; i++) {
      expect((await exchange(server, { 'x-api-key': key.key })).status).toBe(200);
    }
    const limited = await exchange(server, { 'x-api-key': key.key });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another key of the same user is not affected.
    expect((await exchange(server, { 'x-api-key': (await createKey(server, ann)).key })).status).toBe(200);
  });

  it("deletes a user's keys with the user", async () => {
    const cleo = await signUp(server, 'cleo');
    const key = await createKey(server, cleo);
    await server.database.db.delete(userTable).where(eq(userTable.id, cleo.id));
    expect(await server.database.db.select().from(apikey).where(eq(apikey.referenceId, cleo.id))).toEqual([]);
    expect((await exchange(server, { 'x-api-key': key.key })).status).toBe(401);
  });
});

describe.each(testBackends)('API key revocation across two instances on %s', (backend) => {
  // One public URL for both, as behind a load balancer: the same issuer and audience.
  const env = { BETTER_AUTH_URL: 'http://tasks.example.test' };
  let server: TestServer;
  let ann: SignedUpUser;

  beforeAll(async () => {
    server = await startTestServer(backend, { env });
    ann = await signUp(server, 'ann');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('stops a deleted key’s JWTs on a second instance within seconds', async () => {
    const second = await startSecondInstance(server, { env });
    try {
      const key = await createKey(server, ann, { name: 'fleet' });
      const token = await tokenFor(server, key.key);
      expect(await apiStatus(second, token)).toBe(200);
      await authPost(server, ann, '/api-key/delete', { keyId: key.id });
      await waitFor(async () => (await apiStatus(second, token)) === 401, {
        what: 'revocation on the second instance',
      });
      // Persisted too: an instance starting later refuses it as well.
      const rows = await server.database.db
        .select({ kind: tokenRevocation.kind })
        .from(tokenRevocation)
        .where(
          and(eq(tokenRevocation.kind, 'session'), eq(tokenRevocation.subject, apiKeySessionId(key.id))),
        );
      expect(rows).toEqual([{ kind: 'session' }]);
    } finally {
      await second.stop();
    }
  });
});
