/**
 * The fast path answers exactly as tRPC's own Node adapter would: the same requests go to two
 * listeners over one database, one the adapter alone and one the fast path (which must take the
 * request, or must leave it to the adapter), and status, headers that matter, body and what
 * `onError` saw are compared.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { HTTPErrorHandler } from '@trpc/server/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContextFactory, createInnerContext } from '../trpc/context';
import { publicProcedure, router } from '../trpc/init';
import { appRouter, type AppRouter } from '../trpc/router';
import { testBackends } from '../test/databases';
import { silentLogger } from '../test/env';
import { rawRequest, type RawResponse } from '../test/http';
import { getToken, signUp, startTestServer, type TestServer } from '../test/server';
import { TRPC_MAX_BODY_BYTES } from './app';
import { createTrpcFastPath } from './trpc-fast-path';

interface Call {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Ids, timestamps, position keys (made from the time, D37) and cursors differ between two creates; everything else must not. */
const mask = (text: string) =>
  text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
    .replace(/"position":"[^"]+"/g, '"position":"<position>"')
    .replace(/"nextCursor":"[^"]+"/g, '"nextCursor":"<cursor>"');

async function listen(listener: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe.each(testBackends)('the tRPC fast path (%s)', (backend) => {
  let api: TestServer;
  let token: string;
  let otherToken: string;
  let othersTask: string;
  const listeners: Server[] = [];
  const errors = { adapter: [] as unknown[], fast: [] as unknown[] };
  let fellBack = 0;
  let adapterUrl: string;
  let fastUrl: string;

  beforeAll(async () => {
    api = await startTestServer(backend);
    token = await getToken(api, (await signUp(api, 'fast')).cookie);
    otherToken = await getToken(api, (await signUp(api, 'other')).cookie);
    const { tasks, verifyToken } = api.app;
    const createContext = createContextFactory({ tasks, verifyToken, log: silentLogger() });
    const record =
      (into: unknown[]): HTTPErrorHandler<AppRouter, IncomingMessage> =>
      ({ error, path, type, input, ctx }) =>
        into.push({ code: error.code, message: error.message, path, type, input, user: ctx?.user?.id });
    const options = {
      router: appRouter,
      basePath: '/api/trpc/',
      createContext,
      maxBodySize: TRPC_MAX_BODY_BYTES,
    };
    const adapter = createHTTPHandler({ ...options, onError: record(errors.adapter) });
    const fastAdapter = createHTTPHandler({ ...options, onError: record(errors.fast) });
    const fast = createTrpcFastPath({
      ...options,
      onError: record(errors.fast),
      fallback: (req, res) => {
        fellBack++;
        fastAdapter(req, res);
      },
    });
    for (const [listener, set] of [
      [adapter, (url: string) => (adapterUrl = url)],
      [fast, (url: string) => (fastUrl = url)],
    ] as const) {
      const { server, url } = await listen(listener);
      listeners.push(server);
      set(url);
    }
    const created = await rawRequest(
      { url: adapterUrl },
      {
        method: 'POST',
        path: '/api/trpc/task.create',
        headers: { authorization: `Bearer ${otherToken}`, 'content-type': 'application/json' },
        body: '{"title":"not yours"}',
      },
    );
    othersTask = (JSON.parse(created.body) as { result: { data: { id: string } } }).result.data.id;
  });

  afterAll(async () => {
    for (const server of listeners) await new Promise((resolve) => server.close(resolve));
    await api?.stop();
  });

  /** Sends `call` to both listeners; returns both answers and whether the fast path took it. */
  async function both(call: Call): Promise<{ adapter: RawResponse; fast: RawResponse; taken: boolean }> {
    errors.adapter.length = 0;
    errors.fast.length = 0;
    const adapter = await rawRequest({ url: adapterUrl }, call);
    const before = fellBack;
    const fast = await rawRequest({ url: fastUrl }, call);
    return { adapter, fast, taken: fellBack === before };
  }

  const bearer = (t = () => token) => ({ authorization: `Bearer ${t()}` });
  const json = { 'content-type': 'application/json' };
  const uuid = randomUUID();

  const taken: [string, () => Call][] = [
    ['a list', () => ({ path: '/api/trpc/task.list', headers: bearer() })],
    [
      'a list with input',
      () => ({ path: `/api/trpc/task.list?input=${encodeURIComponent('{"limit":2}')}`, headers: bearer() }),
    ],
    ['input spelled with +', () => ({ path: '/api/trpc/task.list?input={"limit":+2}', headers: bearer() })],
    ['an empty input', () => ({ path: '/api/trpc/task.list?input=', headers: bearer() })],
    [
      'an invalid input',
      () => ({ path: `/api/trpc/task.list?input=${encodeURIComponent('{"limit":0}')}`, headers: bearer() }),
    ],
    ['no token', () => ({ path: '/api/trpc/task.list' })],
    ['a malformed token', () => ({ path: '/api/trpc/task.list', headers: { authorization: 'Bearer nope' } })],
    ['a basic credential', () => ({ path: '/api/trpc/task.list', headers: { authorization: 'Basic eDp5' } })],
    [
      "another user's task",
      () => ({
        path: `/api/trpc/task.get?input=${encodeURIComponent(JSON.stringify({ id: othersTask }))}`,
        headers: bearer(),
      }),
    ],
    [
      'a missing task',
      () => ({
        path: `/api/trpc/task.get?input=${encodeURIComponent(JSON.stringify({ id: uuid }))}`,
        headers: bearer(),
      }),
    ],
    [
      'a create',
      () => ({
        method: 'POST',
        path: '/api/trpc/task.create',
        headers: { ...bearer(), ...json },
        body: '{"title":" same "}',
      }),
    ],
    [
      'a create with a charset',
      () => ({
        method: 'POST',
        path: '/api/trpc/task.create',
        headers: { ...bearer(), 'content-type': 'application/json; charset=utf-8' },
        body: '{"title":"ü"}',
      }),
    ],
    [
      'a body with a byte-order mark',
      () => ({
        method: 'POST',
        path: '/api/trpc/task.create',
        headers: { ...bearer(), ...json },
        body: '\uFEFF{"title":"bom"}',
      }),
    ],
    [
      'a create without a title',
      () => ({
        method: 'POST',
        path: '/api/trpc/task.create',
        headers: { ...bearer(), ...json },
        body: '{}',
      }),
    ],
    [
      'a body that is not JSON',
      () => ({
        method: 'POST',
        path: '/api/trpc/task.create',
        headers: { ...bearer(), ...json },
        body: '{"title":',
      }),
    ],
    [
      'an empty body',
      () => ({ method: 'POST', path: '/api/trpc/task.create', headers: { ...bearer(), ...json }, body: '' }),
    ],
    [
      'a toggle of a missing task',
      () => ({
        method: 'POST',
        path: '/api/trpc/task.toggle',
        headers: { ...bearer(), ...json },
        body: JSON.stringify({ id: uuid }),
      }),
    ],
    [
      "a delete of another user's task",
      () => ({
        method: 'POST',
        path: '/api/trpc/task.delete',
        headers: { ...bearer(), ...json },
        body: JSON.stringify({ id: othersTask }),
      }),
    ],
    [
      'a mutation without a token',
      () => ({
        method: 'POST',
        path: '/api/trpc/task.delete',
        headers: json,
        body: JSON.stringify({ id: othersTask }),
      }),
    ],
    [
      'a stale update',
      () => ({
        method: 'POST',
        path: '/api/trpc/task.update',
        headers: { ...bearer(() => otherToken), ...json },
        body: JSON.stringify({ id: othersTask, version: 99, title: 'x' }),
      }),
    ],
  ];

  const leftToTheAdapter: [string, () => Call][] = [
    ['a batch', () => ({ path: '/api/trpc/task.list,task.counts?batch=1&input={}', headers: bearer() })],
    ['a query input that does not parse', () => ({ path: '/api/trpc/task.list?input={', headers: bearer() })],
    ['another query parameter', () => ({ path: '/api/trpc/task.list?input={}&x=1', headers: bearer() })],
    ['an encoded procedure name', () => ({ path: '/api/trpc/task%2Elist', headers: bearer() })],
    ['an unknown procedure', () => ({ path: '/api/trpc/task.nope', headers: bearer() })],
    [
      'a query by POST',
      () => ({ method: 'POST', path: '/api/trpc/task.list', headers: { ...bearer(), ...json }, body: '{}' }),
    ],
    ['a mutation by GET', () => ({ path: '/api/trpc/task.create?input={"title":"x"}', headers: bearer() })],
    [
      'a mutation with a query string',
      () => ({
        method: 'POST',
        path: '/api/trpc/task.create?batch=1',
        headers: { ...bearer(), ...json },
        body: '{"0":{"title":"b"}}',
      }),
    ],
    [
      'another content type',
      () => ({
        method: 'POST',
        path: '/api/trpc/task.create',
        headers: { ...bearer(), 'content-type': 'text/plain' },
        body: '{"title":"x"}',
      }),
    ],
    [
      'no content type',
      () => ({ method: 'POST', path: '/api/trpc/task.create', headers: bearer(), body: '{"title":"x"}' }),
    ],
    [
      'a body over the limit',
      () => ({
        method: 'POST',
        path: '/api/trpc/task.create',
        headers: { ...bearer(), ...json },
        body: `{"title":"${'x'.repeat(TRPC_MAX_BODY_BYTES)}"}`,
      }),
    ],
    [
      'a streaming accept',
      () => ({ path: '/api/trpc/task.list', headers: { ...bearer(), 'trpc-accept': 'application/jsonl' } }),
    ],
    ['a HEAD', () => ({ method: 'HEAD', path: '/api/trpc/task.list', headers: bearer() })],
  ];

  async function expectSameAnswer(call: Call, shouldTake: boolean) {
    const { adapter, fast, taken: wasTaken } = await both(call);
    expect(wasTaken).toBe(shouldTake);
    expect(fast.status).toBe(adapter.status);
    expect(fast.headers['content-type']).toBe(adapter.headers['content-type']);
    expect(fast.headers.vary).toBe(adapter.headers.vary);
    expect(mask(fast.body)).toBe(mask(adapter.body));
    expect(errors.fast).toEqual(errors.adapter);
  }

  it.each(taken)('takes %s and answers as the adapter does', async (_, call) => {
    await expectSameAnswer(call(), true);
  });

  it.each(leftToTheAdapter)('leaves %s to the adapter', async (_, call) => {
    await expectSameAnswer(call(), false);
  });

  it('runs the same checks as the adapter: a toggle of a task of ours, then of theirs', async () => {
    const make = async (url: string) =>
      (
        JSON.parse(
          (
            await rawRequest(
              { url },
              {
                method: 'POST',
                path: '/api/trpc/task.create',
                headers: { ...bearer(), ...json },
                body: '{"title":"t"}',
              },
            )
          ).body,
        ) as { result: { data: { id: string } } }
      ).result.data.id;
    const mine = await make(fastUrl);
    const toggle = {
      method: 'POST',
      path: '/api/trpc/task.toggle',
      headers: { ...bearer(), ...json },
      body: JSON.stringify({ id: mine }),
    };
    const first = await rawRequest({ url: fastUrl }, toggle);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toMatchObject({
      result: { data: { id: mine, completed: true, version: 2 } },
    });
    const theirs = await rawRequest(
      { url: fastUrl },
      { ...toggle, headers: { ...bearer(() => otherToken), ...json } },
    );
    expect(theirs.status).toBe(403);
  });

  it('answers a failure to answer (an output JSON cannot hold, an onError that throws) with a clean 500, never a crash', async () => {
    const broken = router({ big: publicProcedure.query(() => ({ n: 1n })) });
    const createContext = async () => createInnerContext({ tasks: api.app.tasks, user: null });
    const onErrorCalls: string[] = [];
    const throwingOnError: HTTPErrorHandler<typeof broken, IncomingMessage> = ({ error }) => {
      onErrorCalls.push(error.code);
      throw new Error('a logger that throws');
    };
    const listener = createTrpcFastPath({
      router: broken,
      basePath: '/api/trpc/',
      createContext,
      onError: throwingOnError,
      maxBodySize: 1024,
      fallback: () => expect.fail('the fast path must take a plain query'),
    });
    const { server, url } = await listen(listener);
    listeners.push(server);
    const adapter = await listen(
      createHTTPHandler({ router: broken, basePath: '/api/trpc/', createContext }),
    );
    listeners.push(adapter.server);

    const fast = await rawRequest({ url }, { path: '/api/trpc/big' });
    const reference = await rawRequest({ url: adapter.url }, { path: '/api/trpc/big' });
    expect(fast.status).toBe(500);
    expect(fast.status).toBe(reference.status);
    expect(JSON.parse(fast.body)).toMatchObject({
      error: { message: 'Internal server error', data: { code: 'INTERNAL_SERVER_ERROR' } },
    });
    expect(fast.body).not.toMatch(/BigInt|at .*\.ts/);
    expect(onErrorCalls).toEqual(['INTERNAL_SERVER_ERROR']);
    // Still serving.
    expect((await rawRequest({ url }, { path: '/api/trpc/big' })).status).toBe(500);
  });

  it('never takes a subscription: task.changes goes to the adapter, with or without an SSE Accept', async () => {
    const createContext = async () => createInnerContext({ tasks: api.app.tasks, user: null });
    const fallbackCalls: string[] = [];
    const listener = createTrpcFastPath({
      router: appRouter,
      basePath: '/api/trpc/',
      createContext,
      onError: () => {},
      maxBodySize: 1024,
      fallback: (req, res) => {
        fallbackCalls.push(req.url ?? '');
        res.statusCode = 299;
        res.end();
      },
    });
    const { server, url } = await listen(listener);
    listeners.push(server);
    for (const headers of [{ accept: 'text/event-stream' }, {}] as Record<string, string>[]) {
      const answer = await rawRequest({ url }, { path: '/api/trpc/task.changes?input=%7B%7D', headers });
      expect(answer.status).toBe(299);
    }
    expect(fallbackCalls).toHaveLength(2);
  });
});
