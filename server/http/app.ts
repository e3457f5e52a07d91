import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { toNodeHandler } from 'better-auth/node';
import type { JSONWebKeySet } from 'jose';
import sirv from 'sirv';
import { TRPC_MAX_BATCH } from '../../shared/api';
import { createAuth, CLIENT_IP_HEADER, JWT_ALGORITHM } from '../auth/auth';
import type { TokenRevocations } from '../auth/revocation';
import { createCachedKeySet, createJwtVerifier, fetchJwks } from '../auth/verify-jwt';
import type { DatabaseHandle } from '../db/client';
import { errorCode } from '../db/database-error';
import { createTaskQueries } from '../db/task-queries';
import { splitList, type Env } from '../env';
import type { Logger } from '../logger';
import { createContextFactory } from '../trpc/context';
import { appRouter } from '../trpc/router';
import { clientAddress, createProxyList } from './client-ip';
import { setSecurityHeaders } from './security-headers';

/** tRPC bodies: a full task is ~66 KB even if every character is JSON-escaped; a full batch fits. */
export const TRPC_MAX_BODY_BYTES = 1024 * 1024;
/** Auth bodies are a name, an email and a password. */
export const AUTH_MAX_BODY_BYTES = 16 * 1024;

export interface AppOptions {
  env: Env;
  /** Public base URL: cookie origin, JWT `iss` and `aud`. */
  baseURL: string;
  /** Extra origins allowed to make cookie requests to /api/auth (the base URL always is). */
  trustedOrigins: string[];
  secret: string;
  database: DatabaseHandle;
  log: Logger;
  /** Started by the caller: revoked sessions/users, and the channel that announces key changes. */
  revocations: TokenRevocations;
  /** Folder of the built web client, served at `/`; absent or missing means API only. */
  clientDir?: string | undefined;
  /** True while shutting down: `/healthz` answers 503 so a load balancer stops sending. */
  isDraining?: () => boolean;
}

/**
 * Better Auth's limiter answers 429 with only `X-Retry-After`; HTTP clients and browsers know the
 * standard `Retry-After`, so copy it just before the head is written. (The per-account throttle
 * sets both itself and logs its own event, so `onLimited` means the per-address limiter.)
 */
function standardRetryAfter(res: ServerResponse, onLimited: (retryAfter: number) => void): void {
  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    const retryAfter = res.getHeader('x-retry-after');
    if (status === 429 && retryAfter !== undefined && !res.hasHeader('retry-after')) {
      res.setHeader('Retry-After', String(retryAfter));
      onLimited(Number(retryAfter));
    }
    return writeHead(status, ...rest);
  }) as ServerResponse['writeHead'];
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

/** Builds the request listener that serves `/api/auth/*`, `/api/trpc/*`, `/healthz` and the client. */
export function createApp(options: AppOptions) {
  const { env, baseURL, database, log, revocations } = options;
  const https = baseURL.startsWith('https://');

  const auth = createAuth({
    db: database.db,
    baseURL,
    secret: options.secret,
    trustedOrigins: [baseURL, ...options.trustedOrigins],
    jwtTtlSeconds: env.JWT_TTL_SECONDS,
    jwtRotationDays: env.JWT_ROTATION_DAYS,
    jwtGraceDays: env.JWT_GRACE_DAYS,
    rateLimitEnabled: env.RATE_LIMIT_ENABLED,
    revocations,
    log,
  });

  const loadOwnKeys = async (): Promise<JSONWebKeySet> => auth.api.getJwks();
  const keys = createCachedKeySet(env.AUTH_JWKS_URL ? fetchJwks(env.AUTH_JWKS_URL) : loadOwnKeys);
  // A rotation anywhere reaches us in milliseconds instead of at the cache's maxAge (and it ends
  // every verification the verifier remembered under the old keys).
  revocations.onKeysChanged(() => keys.invalidate());
  const verifyToken = createJwtVerifier({
    keys,
    issuer: baseURL,
    audience: baseURL,
    algorithm: JWT_ALGORITHM,
    maxTokenAgeSeconds: env.JWT_TTL_SECONDS,
    isRevoked: revocations.isRevoked,
  });

  const tasks = createTaskQueries(database, { role: database.appRole });
  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: '/api/trpc/',
    createContext: createContextFactory({
      tasks,
      verifyToken,
      log,
      requestDeadlineMs: env.REQUEST_DEADLINE_MS,
    }),
    maxBodySize: TRPC_MAX_BODY_BYTES,
    maxBatchSize: TRPC_MAX_BATCH,
    onError({ error, path, req, ctx }) {
      if (error.code === 'FORBIDDEN') {
        // Someone tried another user's data: worth an operator's attention, not an error.
        log.warn(
          { event: 'forbidden', userId: ctx?.user?.id, path, requestId: req.headers['x-request-id'] },
          'forbidden access',
        );
      }
      if (error.code === 'SERVICE_UNAVAILABLE' && error.cause) {
        log.warn(
          {
            event: 'database_unavailable',
            code: errorCode(error.cause),
            path,
            requestId: req.headers['x-request-id'],
          },
          'database unavailable: answered 503',
        );
      }
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        log.error(
          { err: error.cause ?? error, path, requestId: req.headers['x-request-id'] },
          'procedure failed',
        );
      }
    },
  });

  const authHandler = toNodeHandler(auth);
  const publicURL = new URL(baseURL);
  const proxies = createProxyList(splitList(env.TRUSTED_PROXIES));
  const serveClient =
    options.clientDir && existsSync(options.clientDir)
      ? sirv(options.clientDir, { single: true, etag: true, gzip: false, brotli: false })
      : undefined;

  async function handleAuth(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const length = Number(req.headers['content-length'] ?? 0);
    if (req.headers['transfer-encoding'] && req.headers['content-length'] === undefined) {
      return sendJson(res, 411, { message: 'Content-Length required' });
    }
    if (!Number.isFinite(length) || length > AUTH_MAX_BODY_BYTES) {
      return sendJson(res, 413, { message: 'Request body too large' });
    }
    // Better Auth cannot see the socket; give it the address we trust and nothing else.
    req.headers[CLIENT_IP_HEADER] = clientAddress(req, proxies);
    // Its node adapter builds the URL it routes on as `${X-Forwarded-Proto}://${Host}` + req.url,
    // so a crafted Host (`…/api/auth/sign-in/email?`) would pick another route than the path we
    // checked. The public URL is configured: state it, and drop what could contradict it.
    req.headers.host = publicURL.host;
    req.headers['x-forwarded-proto'] = publicURL.protocol.slice(0, -1);
    delete req.headers['x-forwarded-host'];
    delete req.headers[':authority'];
    standardRetryAfter(res, (retryAfter) =>
      log.warn(
        {
          event: 'rate_limited',
          path: (req.url ?? '').split('?', 1)[0],
          retryAfter,
          requestId: req.headers['x-request-id'],
        },
        'rate limit hit',
      ),
    );
    await authHandler(req, res);
  }

  async function handleHealth(res: ServerResponse): Promise<void> {
    if (options.isDraining?.()) return sendJson(res, 503, { status: 'shutting down' });
    try {
      await Promise.race([
        database.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000).unref()),
      ]);
      sendJson(res, 200, { status: 'ok' });
    } catch (error) {
      log.warn({ err: error }, 'health check failed');
      sendJson(res, 503, { status: 'unavailable' });
    }
  }

  // Load shedding: the database driver queues without limit when its pool is busy, so past this
  // many API requests in flight a newcomer gets a quick 503 instead of an ever-longer wait.
  let inFlight = 0;
  function handleTrpc(req: IncomingMessage, res: ServerResponse): void {
    if (inFlight >= env.MAX_IN_FLIGHT_REQUESTS) {
      res.setHeader('Retry-After', '1');
      log.warn({ event: 'load_shed', inFlight }, 'too many requests in flight');
      return sendJson(res, 503, {
        error: {
          message: 'The server is busy; retry shortly',
          code: -32603,
          data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 },
        },
      });
    }
    inFlight++;
    res.once('close', () => inFlight--);
    trpcHandler(req, res);
  }

  const handler: RequestListener = (req, res) => {
    const requestId = randomUUID();
    req.headers['x-request-id'] = requestId;
    res.setHeader('X-Request-Id', requestId);
    setSecurityHeaders(res, https);

    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const fail = (error: unknown) => {
      log.error({ err: error, requestId }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal server error' });
      else res.destroy();
    };

    if (path === '/healthz') return void handleHealth(res).catch(fail);
    // Spellings that a lenient proxy or client might map onto the API (`//api/`, `/API/`) are
    // treated as API requests too: no-store, and 404 below.
    if (
      path
        .replace(/\/{2,}/g, '/')
        .toLowerCase()
        .startsWith('/api/')
    ) {
      res.setHeader('Cache-Control', 'no-store');
      // One spelling per route, so no alternative path can dodge a per-path rate limit.
      if (!path.startsWith('/api/') || path.includes('//') || path.includes('/./') || path.includes('/../')) {
        return sendJson(res, 404, { message: 'Not found' });
      }
      if (path.startsWith('/api/trpc/')) return handleTrpc(req, res);
      if (path.startsWith('/api/auth/')) return void handleAuth(req, res).catch(fail);
      return sendJson(res, 404, { message: 'Not found' });
    }
    if (serveClient) return serveClient(req, res, () => sendJson(res, 404, { message: 'Not found' }));
    sendJson(res, 404, { message: 'Not found' });
  };

  return { handler, auth, verifyToken, tasks, revocations };
}

export type App = ReturnType<typeof createApp>;
