import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  callTRPCProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  transformTRPCResponse,
  TRPCError,
  type AnyTRPCRouter,
  type inferRouterContext,
} from '@trpc/server';
import { getHTTPStatusCode, type HTTPErrorHandler } from '@trpc/server/http';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;
type CallType = 'query' | 'mutation';

export interface FastPathOptions<TRouter extends AnyTRPCRouter> {
  router: TRouter;
  /** The adapter's `basePath`, e.g. `/api/trpc/`. */
  basePath: string;
  createContext: (opts: { req: IncomingMessage }) => Promise<inferRouterContext<TRouter>>;
  onError: HTTPErrorHandler<TRouter, IncomingMessage>;
  maxBodySize: number;
  /** tRPC's own Node adapter: everything the fast path does not take goes there unchanged. */
  fallback: Listener;
}

/** Procedure names as the router spells them; anything percent-encoded or odd goes to the adapter. */
const PLAIN_NAME = /^[A-Za-z0-9_.]+$/;
const NOT_TAKEN = Symbol('not taken');
const utf8 = new TextDecoder();

/**
 * The common single call without the Fetch round trip of tRPC's Node adapter (decisions D29): one
 * GET of a query with at most an `input` parameter, or one POST of a mutation with a JSON body of
 * declared length. It runs the same procedure, context and `onError` through tRPC's public API and
 * writes the same envelope, status and error shape. Everything else (batches, streaming, other
 * methods or content types, encoded names, unknown procedures, bodies without a length or over the
 * limit, query input that does not parse) goes to the adapter untouched, so tRPC keeps answering
 * every odd case itself.
 */
export function createTrpcFastPath<TRouter extends AnyTRPCRouter>(
  options: FastPathOptions<TRouter>,
): Listener {
  const { router, basePath, createContext, onError, maxBodySize, fallback } = options;
  const config = router._def._config;
  const types = new Map<string, CallType>();
  for (const [name, procedure] of Object.entries(router._def.procedures as Record<string, unknown>)) {
    const type = (procedure as { _def?: { type?: unknown } })._def?.type;
    if (type === 'query' || type === 'mutation') types.set(name, type);
  }

  /**
   * What the adapter does when answering itself failed (an `onError` or formatter that threw, an
   * output JSON cannot hold): a generic error in tRPC's shape, or a cut connection once the head
   * is out. Never an unhandled rejection.
   */
  const failed = (req: IncomingMessage, res: ServerResponse) => (cause: unknown) => {
    const error = getTRPCErrorFromUnknown(cause);
    const unknownCall = { type: 'unknown', path: undefined, input: undefined, ctx: undefined } as const;
    report({ ...unknownCall, error, req });
    try {
      if (res.headersSent) return void res.destroy();
      send(res, { error: getErrorShape({ ...unknownCall, config, error }) });
    } catch {
      res.destroy();
    }
  };

  /** `onError` is for logging: one that throws must not change the answer. */
  const report: typeof onError = (opts) => {
    try {
      onError(opts);
    } catch {
      // Nothing better to do: the log is what failed.
    }
  };

  const send = (res: ServerResponse, json: object) => {
    res.statusCode = getHTTPStatusCode(json as Parameters<typeof getHTTPStatusCode>[0]);
    res.setHeader('Vary', 'trpc-accept, accept');
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify(transformTRPCResponse(config, json as Parameters<typeof transformTRPCResponse>[1])),
    );
  };

  async function answer(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    type: CallType,
    readInput: () => unknown,
  ): Promise<void> {
    let ctx: inferRouterContext<TRouter> | undefined;
    let input: unknown;
    let json: object;
    try {
      ctx = await createContext({ req });
      const data = await callTRPCProcedure({
        router,
        path,
        type,
        ctx,
        signal: undefined,
        batchIndex: 0,
        getRawInput: async () => (input = readInput()),
      });
      json = { result: { data } };
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      report({ error, type, path, input, ctx, req });
      json = { error: getErrorShape({ config, error, type, path, input, ctx }) };
    }
    send(res, json);
  }

  return (req, res) => {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const path = url.slice(basePath.length, query === -1 ? undefined : query);
    const type = url.startsWith(basePath) && PLAIN_NAME.test(path) ? types.get(path) : undefined;
    if (type === undefined || wantsStream(req)) return fallback(req, res);

    if (type === 'query') {
      const contentType = req.headers['content-type'];
      const input =
        req.method === 'GET' && (contentType === undefined || contentType.startsWith('application/json'))
          ? queryInput(query === -1 ? '' : url.slice(query + 1))
          : NOT_TAKEN;
      if (input === NOT_TAKEN) return fallback(req, res);
      return void answer(req, res, path, type, () => input).catch(failed(req, res));
    }

    const length = declaredLength(req);
    if (
      req.method !== 'POST' ||
      query !== -1 ||
      !req.headers['content-type']?.startsWith('application/json') ||
      length === undefined ||
      length > maxBodySize
    ) {
      return fallback(req, res);
    }
    readBody(req, length)
      .then(
        (body) => answer(req, res, path, type, () => parseBody(body)),
        () => res.destroy(),
      )
      .catch(failed(req, res));
  };
}

/** The adapter's streaming modes (`trpc-accept` or `Accept: application/jsonl`) stay with it. */
function wantsStream(req: IncomingMessage): boolean {
  return req.headers['trpc-accept'] !== undefined || (req.headers.accept?.includes('jsonl') ?? false);
}

/** `?input=<JSON>` or nothing, read as tRPC reads it (URLSearchParams); anything else: not taken. */
function queryInput(search: string): unknown {
  if (search === '') return undefined;
  if (search.includes('#')) return NOT_TAKEN;
  const params = new URLSearchParams(search);
  let count = 0;
  for (const key of params.keys()) {
    if (key !== 'input' || ++count > 1) return NOT_TAKEN;
  }
  const raw = params.get('input');
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return NOT_TAKEN;
  }
}

/** A plain `Content-Length` (no chunked body), or undefined. */
function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined || req.headers['transfer-encoding'] !== undefined || !/^\d{1,9}$/.test(header)) {
    return undefined;
  }
  return Number(header);
}

/** The whole body (Node's parser holds it to the declared length). */
function readBody(req: IncomingMessage, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= length) return void chunks.push(chunk);
      req.destroy();
      reject(new Error('body longer than declared'));
    });
    // As `Request.json()` decodes: UTF-8, a byte-order mark dropped, bad bytes replaced.
    req.once('end', () => resolve(utf8.decode(Buffer.concat(chunks, size))));
    req.once('error', reject);
    // Gone before the end (the client went away): settles the promise; after 'end' a no-op.
    req.once('close', () => reject(new Error('request closed before its body ended')));
  });
}

/** As tRPC's JSON handler: an unparsable body is BAD_REQUEST with the parser's message. */
function parseBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch (cause) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: cause instanceof Error ? cause.message : 'Invalid input',
      cause,
    });
  }
}
