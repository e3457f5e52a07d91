/**
 * `task.changes` over HTTP with the real server: the JWT in the Authorization header of an SSE
 * GET, the ways a stream ends (token expiry, sign-out on another instance, shutdown), the
 * per-user limit, load shedding leaving streams alone, and the SDK's subscription.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskChangeEvent } from '../../shared/task-events';
import { createApiClient } from '../sdk/api-client';
import { testBackends } from '../test/databases';
import {
  createApiKey,
  getToken,
  signUp,
  startSecondInstance,
  startTestServer,
  type SignedUpUser,
  type TestServer,
} from '../test/server';

const changesUrl = (base: string, lastEventId?: string) =>
  `${base}/api/trpc/task.changes?input=${encodeURIComponent(JSON.stringify(lastEventId ? { lastEventId } : {}))}`;

/** A raw SSE connection: its status, and the text received so far, read as it arrives. */
async function openStream(base: string, token: string | undefined, lastEventId?: string) {
  const abort = new AbortController();
  const response = await fetch(changesUrl(base, lastEventId), {
    headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    signal: abort.signal,
  });
  let text = '';
  let closed = false;
  const listeners = new Set<() => void>();
  if (!response.body || !response.headers.get('content-type')?.includes('text/event-stream')) {
    text = await response.text();
    closed = true;
  }
  const reader = closed ? undefined : response.body?.getReader();
  const pump = (async () => {
    if (!reader) return;
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        for (const listener of listeners) listener();
      }
    } catch {
      // Aborted by the test.
    }
  })().finally(() => {
    closed = true;
    for (const listener of listeners) listener();
  });
  /** Waits until `test` holds of the text (or the stream closed), at most `ms`. */
  const until = (test: (text: string, closed: boolean) => boolean, ms: number) =>
    new Promise<boolean>((resolve) => {
      const check = () => {
        if (test(text, closed)) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(true);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        resolve(false);
      }, ms);
      listeners.add(check);
      check();
    });
  return {
    status: response.status,
    text: () => text,
    until,
    /** The `data` of every message event (SSE default event type), in order. */
    events(): { id: string; data: TaskChangeEvent }[] {
      return text
        .split('\n\n')
        .filter((block) => block.includes('\nid: ') || block.startsWith('id: '))
        .filter((block) => !/^event: /m.test(block))
        .map((block) => ({
          id: /^id: (.*)$/m.exec(block)?.[1] ?? '',
          data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as TaskChangeEvent,
        }));
    },
    closed: () => closed,
    async close() {
      abort.abort();
      await pump;
    },
  };
}

async function createTask(base: string, token: string, title: string): Promise<{ id: string }> {
  const response = await fetch(`${base}/api/trpc/task.create`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { result: { data: { id: string } } }).result.data;
}

describe.each(testBackends)('live updates over HTTP on %s', (backend) => {
  // One public URL for both instances, as behind a load balancer: the same issuer and audience.
  const env = { BETTER_AUTH_URL: 'http://tasks.example.test', LIVE_MAX_STREAMS_PER_USER: '3' };
  let server: TestServer;
  let ann: SignedUpUser;
  let annToken: string;

  beforeAll(async () => {
    server = await startTestServer(backend, { env });
    ann = await signUp(server, 'ann');
    annToken = await getToken(server, ann.cookie);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('streams changes with the JWT in the Authorization header, and refuses without it (401)', async () => {
    const refused = await openStream(server.url, undefined);
    expect(refused.status).toBe(401);
    expect(refused.text()).toContain('UNAUTHORIZED');
    expect(refused.text()).not.toMatch(/stack|at \//);

    const stream = await openStream(server.url, annToken);
    try {
      expect(stream.status).toBe(200);
      expect(await stream.until((t) => t.includes('event: connected'), 2_000)).toBe(true);
      const started = performance.now();
      const made = await createTask(server.url, annToken, 'over SSE');
      expect(await stream.until(() => stream.events().length > 0, 1_000)).toBe(true);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(stream.events()[0]?.data).toMatchObject({ type: 'created', task: { id: made.id } });

      // Reconnecting with the id resumes after it: the next change only, no repeat.
      const lastId = stream.events()[0]?.id ?? '';
      await stream.close();
      const next = await createTask(server.url, annToken, 'while away');
      const resumed = await openStream(server.url, annToken, lastId);
      try {
        expect(await resumed.until(() => resumed.events().length > 0, 2_000)).toBe(true);
        expect(resumed.events().map((e) => e.data)).toEqual([
          { type: 'created', task: expect.objectContaining({ id: next.id }) },
        ]);
      } finally {
        await resumed.close();
      }
    } finally {
      await stream.close();
    }
  });

  it('refuses a stream past LIVE_MAX_STREAMS_PER_USER with 429 TOO_MANY_REQUESTS', async () => {
    const open = await Promise.all([1, 2, 3].map(() => openStream(server.url, annToken)));
    try {
      for (const s of open) expect(await s.until((t) => t.includes('event: connected'), 2_000)).toBe(true);
      const extra = await openStream(server.url, annToken);
      expect(extra.status).toBe(429);
      expect(extra.text()).toContain('TOO_MANY_REQUESTS');
    } finally {
      for (const s of open) await s.close();
    }
    // Closed streams free their places.
    const again = await openStream(server.url, annToken);
    expect(again.status).toBe(200);
    await again.close();
  });

  it('ends the stream on a second instance within 2 s of sign-out on the first', async () => {
    const second = await startSecondInstance(server, { env });
    try {
      const bea = await signUp(server, 'bea');
      const token = await getToken(server, bea.cookie);
      const stream = await openStream(second.url, token);
      expect(stream.status).toBe(200);
      expect(await stream.until((t) => t.includes('event: connected'), 2_000)).toBe(true);
      const signOut = await fetch(`${server.url}/api/auth/sign-out`, {
        method: 'POST',
        headers: { cookie: bea.cookie, origin: server.baseURL },
      });
      expect(signOut.status).toBe(200);
      const started = performance.now();
      expect(await stream.until((_, closed) => closed, 2_000)).toBe(true);
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(stream.text()).toContain('UNAUTHORIZED');
      // Reconnecting with the same token is refused.
      expect((await openStream(second.url, token)).status).toBe(401);
    } finally {
      await second.stop();
    }
  });

  it('ends an API key’s stream within 2 s of the key’s deletion, and refuses a key without tasks:read', async () => {
    const key = await createApiKey(server, ann, { name: 'to delete', scopes: ['tasks:read'] });
    const exchange = await fetch(`${server.url}/api/auth/api-key/token`, {
      method: 'POST',
      headers: { 'x-api-key': key.key },
    });
    const { token } = (await exchange.json()) as { token: string };
    const stream = await openStream(server.url, token);
    expect(stream.status).toBe(200);
    expect(await stream.until((t) => t.includes('event: connected'), 2_000)).toBe(true);
    const removed = await fetch(`${server.url}/api/auth/api-key/delete`, {
      method: 'POST',
      headers: { cookie: ann.cookie, origin: server.baseURL, 'content-type': 'application/json' },
      body: JSON.stringify({ keyId: key.id }),
    });
    expect(removed.status).toBe(200);
    expect(await stream.until((_, closed) => closed, 2_000)).toBe(true);
    expect(stream.text()).toContain('UNAUTHORIZED');

    const writer = await createApiKey(server, ann, { name: 'writer', scopes: ['tasks:write'] });
    const writerToken = (
      (await (
        await fetch(`${server.url}/api/auth/api-key/token`, {
          method: 'POST',
          headers: { 'x-api-key': writer.key },
        })
      ).json()) as { token: string }
    ).token;
    const refused = await openStream(server.url, writerToken);
    expect(refused.status).toBe(403);
    expect(refused.text()).toContain('tasks:read');
  });

  it('ends open streams at once on shutdown, so the drain does not wait for them', async () => {
    const own = await startTestServer(backend, { env: { SHUTDOWN_TIMEOUT_MS: '10000' } });
    const cid = await signUp(own, 'cid');
    const stream = await openStream(own.url, await getToken(own, cid.cookie));
    expect(await stream.until((t) => t.includes('event: connected'), 2_000)).toBe(true);
    const result = await own.close();
    expect(result.forced).toBe(0);
    expect(result.durationMs).toBeLessThan(2_000);
    expect(await stream.until((_, closed) => closed, 1_000)).toBe(true);
    expect(stream.text()).toContain('SERVICE_UNAVAILABLE');
    await own.database.close();
  });

  it('leaves streams out of load shedding: open streams do not use up MAX_IN_FLIGHT_REQUESTS', async () => {
    const own = await startTestServer(backend, { env: { MAX_IN_FLIGHT_REQUESTS: '1' } });
    try {
      const dan = await signUp(own, 'dan');
      const token = await getToken(own, dan.cookie);
      const streams = [await openStream(own.url, token), await openStream(own.url, token)];
      for (const s of streams) expect(s.status).toBe(200);
      const list = await fetch(`${own.url}/api/trpc/task.list`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(list.status).toBe(200);
      for (const s of streams) await s.close();
    } finally {
      await own.stop();
    }
  });

  it('gives services the same subscription through the SDK, with the key-exchanged JWT', async () => {
    const key = await createApiKey(server, ann, { name: 'watcher', scopes: ['tasks:read'] });
    const api = createApiClient({ baseUrl: server.url, apiKey: key.key });
    const received: TaskChangeEvent[] = [];
    let started!: () => void;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    const subscription = api.task.changes.subscribe(
      {},
      { onStarted: () => started(), onData: ({ data }) => received.push(data), onError: () => {} },
    );
    try {
      await startedPromise;
      const made = await createTask(server.url, annToken, 'seen by the service');
      const deadline = Date.now() + 2_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(received).toEqual([{ type: 'created', task: expect.objectContaining({ id: made.id }) }]);
    } finally {
      subscription.unsubscribe();
    }
  });
});

describe.each(testBackends)('a stream whose token expires on %s', (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(backend, { env: { JWT_TTL_SECONDS: '5' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('ends with UNAUTHORIZED when the JWT expires', async () => {
    const eve = await signUp(server, 'eve');
    const stream = await openStream(server.url, await getToken(server, eve.cookie));
    expect(stream.status).toBe(200);
    expect(await stream.until((_, closed) => closed, 8_000)).toBe(true);
    expect(stream.text()).toContain('The token expired');
  }, 15_000);
});
