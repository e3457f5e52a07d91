import type { Logger } from '../logger';
import type { DatabaseHandle } from './client';
import { errorCode } from './database-error';

export class DatabaseUnreachableError extends Error {
  override name = 'DatabaseUnreachableError';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Why the last attempt failed, for the operator's log: a code, never a URL or a password. */
const reason = (error: unknown): string =>
  errorCode(error) ?? (error instanceof Error ? error.name : 'unknown');

/**
 * Waits for the database to answer, with exponential backoff (250 ms doubling to 5 s), for at most
 * `timeoutMs`; logs every wait. Containers start the app and its database together, so a refused
 * connection at start is expected for a few seconds, not a reason to exit.
 */
export async function waitForDatabase(
  database: Pick<DatabaseHandle, 'ping'>,
  { timeoutMs, log }: { timeoutMs: number; log: Logger },
): Promise<void> {
  const started = performance.now();
  let delayMs = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await database.ping();
      if (attempt > 1) {
        log.info({ attempt, waitedMs: Math.round(performance.now() - started) }, 'database is reachable');
      }
      return;
    } catch (error) {
      const elapsed = performance.now() - started;
      if (elapsed + delayMs > timeoutMs) {
        throw new DatabaseUnreachableError(
          `The database did not answer within ${timeoutMs} ms (DATABASE_WAIT_TIMEOUT_MS); last error: ${reason(error)}`,
        );
      }
      log.warn({ attempt, retryInMs: delayMs, reason: reason(error) }, 'database not reachable yet; waiting');
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, 5_000);
    }
  }
}
