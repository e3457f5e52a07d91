import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage, RequestListener } from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { HTTPErrorHandler } from '@trpc/server/http';
import type { JSONWebKeySet } from 'jose';
import sirv from 'sirv';
import { TRPC_MAX_BATCH } from '../../shared/api';
import { createAuth, JWT_ALGORITHM } from '../auth/auth';
import type { TokenRevocations } from '../auth/revocation';
import { createCachedKeySet, createJwtVerifier, fetchJwks } from '../auth/verify-jwt';
import type { DatabaseHandle } from '../db/client';
import { errorCode } from '../db/database-error';
import { createMailer } from '../email/mailer';
import { createTaskQueries } from '../db/task-queries';
import type { TaskChangeFeed } from '../live/task-change-feed';
import { splitList, type Env } from '../env';
import type { Logger } from '../logger';
import { createContextFactory } from '../trpc/context';
import { appRouter, type AppRouter } from '../trpc/router';
import { createAuthRoute } from './auth-route';
import { createProxyList } from './client-ip';
import { createHealthCheck } from './health';
import { withLoadShedding } from './load-shedding';
import { setSecurityHeaders } from './security-headers';
import { createStreamGuard } from './stream-guard';
import { sendJson } from './send-json';
import { createTrpcFastPath } from './trpc-fast-path';

/** tRPC bodies: a full task is ~66 KB even if every character is JSON-escaped; a full batch fits. */
export const TRPC_MAX_BODY_BYTES = 1024 * 1024;
const TRPC_BASE_PATH = '/api/trpc/';
/** How long loading our own JWKS from the database may take before the request is a 503. */
const OWN_KEYS_TIMEOUT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

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
  /** Started by the caller: live updates for `task.changes`. */
  changes?: TaskChangeFeed;
}

/**
 * Builds the request listener: wires auth, token verification and the task queries together, and
 * routes `/api/auth/*` (auth-route.ts), `/api/trpc/*` (behind load-shedding.ts), `/healthz`
 * (health.ts) and the built client.
 */
export function createApp(options: AppOptions) {
  const { env, baseURL, database, log, revocations } = options;
  const https = baseURL.startsWith('https://');
  const mailer = createMailer(env, log);

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
    mailer,
    log,
  });

  // Bounded like a remote JWKS (fetchJwks): a database that does not answer makes the request a
  // 503 "authentication unavailable", never a request that waits without end in createContext.
  const loadOwnKeys = (): Promise<JSONWebKeySet> => withTimeout(auth.api.getJwks(), OWN_KEYS_TIMEOUT_MS);
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

  const tasks = createTaskQueries(database, {
    role: database.appRole,
    retentionDays: env.DELETED_TASK_RETENTION_DAYS,
  });
  const createContext = createContextFactory({
    tasks,
    verifyToken,
    log,
    requestDeadlineMs: env.REQUEST_DEADLINE_MS,
    ...(options.changes ? { changes: options.changes } : {}),
  });
  const onError: HTTPErrorHandler<AppRouter, IncomingMessage> = ({ error, path, req, ctx }) => {
    if (error.code === 'FORBIDDEN') {
      // Another user's data, or a write with a read-only key: worth an operator's attention.
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
  };
  const trpcAdapter = createHTTPHandler({
    router: appRouter,
    basePath: TRPC_BASE_PATH,
    createContext,
    maxBodySize: TRPC_MAX_BODY_BYTES,
    maxBatchSize: TRPC_MAX_BATCH,
    onError,
  });
  const trpcHandler = createTrpcFastPath({
    router: appRouter,
    basePath: TRPC_BASE_PATH,
    createContext,
    onError,
    maxBodySize: TRPC_MAX_BODY_BYTES,
    fallback: trpcAdapter,
  });

  const handleAuth = createAuthRoute({
    auth,
    baseURL,
    proxies: createProxyList(splitList(env.TRUSTED_PROXIES)),
    log,
  });
  const handleHealth = createHealthCheck({ database, log, isDraining: options.isDraining });
  // A subscription's exact path (`/api/trpc/task.changes?input=…`): tRPC refuses one in a batch.
  const streamPaths = new Set(
    Object.entries(appRouter._def.procedures as Record<string, { _def?: { type?: unknown } }>)
      .filter(([, procedure]) => procedure._def?.type === 'subscription')
      .map(([name]) => `${TRPC_BASE_PATH}${name}`),
  );
  const isStream = (req: IncomingMessage) =>
    req.method === 'GET' && streamPaths.has((req.url ?? '').split('?', 1)[0] ?? '');
  const guardStream = createStreamGuard({ createContext, changes: options.changes });
  const handleTrpc = withLoadShedding(
    env.MAX_IN_FLIGHT_REQUESTS,
    log,
    (req, res) => {
      if (!isStream(req)) return trpcHandler(req, res);
      const path = (req.url ?? '').split('?', 1)[0]?.slice(TRPC_BASE_PATH.length) ?? '';
      guardStream(req, res, path).then(
        (ok) => ok && trpcHandler(req, res),
        (error: unknown) => {
          log.error({ err: error, requestId: req.headers['x-request-id'] }, 'stream check failed');
          if (!res.headersSent) sendJson(res, 500, { message: 'Internal server error' });
        },
      );
    },
    isStream,
  );
  const serveClient =
    options.clientDir && existsSync(options.clientDir)
      ? sirv(options.clientDir, { single: true, etag: true, gzip: false, brotli: false })
      : undefined;

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

  return { handler, auth, verifyToken, tasks, revocations, mailer, changes: options.changes };
}

export type App = ReturnType<typeof createApp>;
