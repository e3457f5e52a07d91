import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenRevocations } from '../auth/revocation';
import type { DatabaseHandle } from '../db/client';
import { startDeletedTaskPurge } from '../db/purge-deleted-tasks';
import { splitList, type Env } from '../env';
import { createTaskChangeFeed } from '../live/task-change-feed';
import type { Logger } from '../logger';
import { createApp, type App } from './app';
import { createDrainer, type DrainResult } from './drain';

export interface RunningServer {
  server: Server;
  app: App;
  /** Where this process listens, e.g. http://127.0.0.1:54321 */
  url: string;
  baseURL: string;
  /**
   * Stops accepting, lets requests in flight finish (up to SHUTDOWN_TIMEOUT_MS, then cuts what is
   * left), waits for mail they queued, then stops the purge job and the revocation listener. The database stays open: it is the caller's.
   */
  close(): Promise<DrainResult>;
}

/**
 * Listens first and builds the app second, so `PORT=0` (tests) gets a real port that the
 * base URL, cookies and JWT issuer can name. The database is the caller's to open and close.
 */
export async function startServer(opts: {
  env: Env;
  database: DatabaseHandle;
  secret: string;
  log: Logger;
  clientDir?: string | undefined;
}): Promise<RunningServer> {
  const { env } = opts;
  // Revocations are loaded before the first request can be verified.
  const revocations = createTokenRevocations({
    database: opts.database,
    tokenTtlSeconds: env.JWT_TTL_SECONDS,
    log: opts.log,
  });
  await revocations.start();
  const changes = createTaskChangeFeed({
    database: opts.database,
    log: opts.log,
    maxStreamsPerUser: env.LIVE_MAX_STREAMS_PER_USER,
    retentionSeconds: env.TASK_EVENT_RETENTION_SECONDS,
    isRevoked: revocations.isRevoked,
  });
  // Sign-out, a revoked API key or a deleted account, here or (by NOTIFY) on another instance,
  // ends the streams its tokens hold within milliseconds.
  revocations.onRevoked((userId) => changes.revoked(userId));
  try {
    await changes.start();
  } catch (error) {
    await revocations.stop();
    throw error;
  }
  // requestTimeout bounds receiving a request, not answering it, so it leaves an open SSE stream
  // alone; tRPC's ping (server/trpc/init.ts) keeps proxies from cutting an idle one.
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(env.PORT, env.HOST, () => resolve());
    });
  } catch (error) {
    await changes.stop();
    await revocations.stop();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${port}`;
  const baseURL = (env.BETTER_AUTH_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  // Without a configured public URL, the two ways a developer may type localhost both work.
  const localOrigins = env.BETTER_AUTH_URL ? [] : [`http://localhost:${port}`, `http://127.0.0.1:${port}`];

  const drainer = createDrainer(server, (req, res) => app.handler(req, res));
  const app = createApp({
    env,
    baseURL,
    trustedOrigins: [...localOrigins, ...splitList(env.TRUSTED_ORIGINS)],
    secret: opts.secret,
    database: opts.database,
    log: opts.log,
    revocations,
    clientDir: opts.clientDir,
    isDraining: drainer.isDraining,
    changes,
  });
  server.on('request', drainer.listener);
  const purge = startDeletedTaskPurge({
    tasks: app.tasks,
    log: opts.log,
    intervalMs: env.DELETED_TASK_PURGE_INTERVAL_MS,
  });

  return {
    server,
    app,
    url,
    baseURL,
    close: async () => {
      const draining = drainer.drain(env.SHUTDOWN_TIMEOUT_MS);
      // Open streams would hold the drain until its deadline: end them now (after draining began,
      // so a reconnect goes to another instance), each with a retryable SERVICE_UNAVAILABLE.
      await changes.stop();
      const result = await draining;
      // Mail queued by the last requests (a reset link) goes out before the process ends.
      await app.mailer.idle(Math.min(env.SHUTDOWN_TIMEOUT_MS, 5_000));
      await purge.stop();
      await revocations.stop();
      return result;
    },
  };
}
