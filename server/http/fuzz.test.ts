/**
 * Hostile input over real HTTP: random inputs to every procedure, odd text, prototype keys and
 * deep nesting. Never a 5xx, never a crash, and the server stays healthy.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../test/databases';
import { getToken, signUp, startTestServer, type TestServer } from '../test/server';

const PROCEDURES = [
  'list',
  'get',
  'create',
  'update',
  'toggle',
  'delete',
  'restore',
  'listDeleted',
  'deleteForever',
] as const;
const QUERIES = new Set(['list', 'get', 'listDeleted']);
/** Every answer the API may give to bad input; 5xx is never among them. */
const CLIENT_ERRORS = [200, 400, 401, 403, 404, 409, 413, 415];

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Cursors as the server encodes them (base64url of `[createdAt, id]`) around timestamps zod's ISO
 * format accepts, from the year 0000 (which PostgreSQL has no room for) to 9999, with any precision.
 */
const timestampCursor = fc
  .record({
    year: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 9999 })),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    fraction: fc.option(fc.stringMatching(/^\d{1,12}$/), { nil: undefined }),
    id: fc.uuid(),
  })
  .map(({ year, month, day, hour, minute, fraction, id }) => {
    const at = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:00${fraction === undefined ? '' : `.${fraction}`}Z`;
    return Buffer.from(JSON.stringify([at, id])).toString('base64url');
  });

describe.each(testBackends)('hostile input (%s)', (backend) => {
  let server: TestServer;
  let token: string;
  let existingId: string;
  let sent = 0;

  /** Sends a raw JSON body (or query input) to a procedure and returns the status. */
  async function call(procedure: string, body: string): Promise<{ status: number; text: string }> {
    sent++;
    const url = `${server.url}/api/trpc/task.${procedure}`;
    const response = QUERIES.has(procedure)
      ? await fetch(`${url}?input=${encodeURIComponent(body)}`, {
          headers: { authorization: `Bearer ${token}` },
        })
      : await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        });
    return { status: response.status, text: await response.text() };
  }

  beforeAll(async () => {
    server = await startTestServer(backend);
    const user = await signUp(server, 'fuzz');
    token = await getToken(server, user.cookie);
    const created = await call('create', JSON.stringify({ title: 'anchor' }));
    existingId = (JSON.parse(created.text) as { result: { data: { id: string } } }).result.data.id;
  });
  afterAll(async () => {
    console.info(`fuzz (${backend}): ${sent} requests sent`);
    await server?.stop();
  });

  it('answers random inputs to every procedure with a client error or success, never 5xx', async () => {
    // Inputs shaped like the real ones (right keys, random values) and entirely random JSON.
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constant(existingId),
      fc.uuid(),
      timestampCursor,
      fc.integer(),
      fc.constant(null),
    );
    const input = fc.oneof(
      fc.record(
        {
          id: value,
          title: value,
          description: value,
          completed: value,
          version: value,
          status: value,
          cursor: value,
          limit: value,
          userId: value,
          // task.restore and task.deleteForever: lists of ids, real ones among them (the anchor, deleted or not).
          ids: fc.oneof(value, fc.array(value, { maxLength: 5 }), fc.array(fc.uuid(), { maxLength: 3 })),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 4 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PROCEDURES), input, async (procedure, body) => {
        const { status, text } = await call(procedure, JSON.stringify(body));
        expect(CLIENT_ERRORS).toContain(status);
        expect(text).not.toMatch(/stack|node_modules|\bselect\b.*\bfrom\b/i);
      }),
      { numRuns: backend === 'pglite' ? 1500 : 600 },
    );
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('answers forged cursors at the edges of the timestamp range with 200 or 400, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        timestampCursor,
        fc.option(fc.constantFrom('all', 'active', 'completed', 'deleted')),
        async (cursor, status) => {
          // "deleted": the cursor of "Recently deleted" (task.listDeleted), same shape.
          const { status: code, text } = await call(
            status === 'deleted' ? 'listDeleted' : 'list',
            JSON.stringify({ cursor, ...(status && status !== 'deleted' ? { status } : {}) }),
          );
          expect([200, 400]).toContain(code);
          expect(text).not.toMatch(/stack|node_modules|\bselect\b|timestamptz|out of range/i);
        },
      ),
      { numRuns: backend === 'pglite' ? 300 : 150 },
    );
  });

  it('answers malformed JSON and wrong content with 4xx', async () => {
    for (const body of ['{', '{"title":', 'null', '[]', '"x"', '\u0000', '{"title":"a"}}']) {
      expect(CLIENT_ERRORS).toContain((await call('create', body)).status);
    }
  });

  it('refuses deeply nested JSON without crashing', async () => {
    const depth = 50_000;
    const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const { status } = await call('create', `{"title":${nested}}`);
    expect([400, 413]).toContain(status);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('refuses NUL bytes and lone surrogates with 400, and stores them nowhere', async () => {
    for (const title of ['nul\u0000byte', 'lone \ud800 surrogate', 'other lone \udc00']) {
      expect((await call('create', JSON.stringify({ title }))).status).toBe(400);
    }
    expect((await call('update', JSON.stringify({ id: existingId, description: 'a\u0000' }))).status).toBe(
      400,
    );
  });

  it('stores RTL overrides, zero-width, combining characters and emoji exactly, counting code points', async () => {
    const titles = [
      '\u202Eevil.exe\u202C',
      'zero\u200Bwidth\u200D',
      'e\u0301\u0301\u0301',
      '👩‍👩‍👧‍👦 family',
      '🙂'.repeat(500),
    ];
    for (const title of titles) {
      const { status, text } = await call('create', JSON.stringify({ title }));
      expect(status).toBe(200);
      expect((JSON.parse(text) as { result: { data: { title: string } } }).result.data.title).toBe(title);
    }
    // 501 code points (1002 UTF-16 units) is one too many.
    expect((await call('create', JSON.stringify({ title: '🙂'.repeat(501) }))).status).toBe(400);
  });

  it('leaves Object.prototype clean and stores nothing for __proto__ / constructor.prototype keys', async () => {
    const bodies = [
      '{"title":"proto","__proto__":{"polluted":"yes"}}',
      '{"title":"ctor","constructor":{"prototype":{"polluted":"yes"}}}',
      '{"__proto__":{"title":"from proto"}}',
      '{"id":"' + existingId + '","title":"x","__proto__":{"userId":"someone-else"}}',
    ];
    const before = await call('list', '{}');
    for (const body of bodies) {
      const procedure = body.includes('"id"') ? 'update' : 'create';
      expect((await call(procedure, body)).status).toBe(400);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect((await call('list', '{}')).text).toBe(before.text);
  });
});
