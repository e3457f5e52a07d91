import type { ServerResponse } from 'node:http';
import type { DatabaseHandle } from '../db/client';
import type { Logger } from '../logger';
import { sendJson } from './send-json';

/** How long `/healthz` waits for the database before calling it unavailable. */
const HEALTH_TIMEOUT_MS = 2_000;

/** `/healthz`: 200 when the database answers in time; 503 while it does not, or while draining. */
export function createHealthCheck(deps: {
  database: Pick<DatabaseHandle, 'ping'>;
  log: Logger;
  isDraining?: (() => boolean) | undefined;
}) {
  return async function handleHealth(res: ServerResponse): Promise<void> {
    if (deps.isDraining?.()) return sendJson(res, 503, { status: 'shutting down' });
    try {
      await Promise.race([
        deps.database.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), HEALTH_TIMEOUT_MS).unref()),
      ]);
      sendJson(res, 200, { status: 'ok' });
    } catch (error) {
      deps.log.warn({ err: error }, 'health check failed');
      sendJson(res, 503, { status: 'unavailable' });
    }
  };
}
