/**
 * Telling "the database is unavailable" apart from a bug. Drivers and drizzle wrap errors
 * (drizzle's `Failed query: …` carries the driver's error as `cause`), so every check walks the
 * cause chain and looks at codes, never at messages.
 */

/** The error and each of its causes, outermost first. */
function* causes(error: unknown): Generator<unknown> {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 10; depth++) {
    yield e;
    e = e instanceof Error ? e.cause : undefined;
  }
}

/** The first `code` in the chain: a SQLSTATE (`57014`), a Node (`ECONNREFUSED`) or postgres.js one. */
export function errorCode(error: unknown): string | undefined {
  for (const e of causes(error)) {
    if (e instanceof Error && 'code' in e && (typeof e.code === 'string' || typeof e.code === 'number')) {
      return String(e.code);
    }
  }
  return undefined;
}

/** Raised by the per-request deadline (server/trpc/init.ts) when the database is too slow. */
export class DatabaseDeadlineError extends Error {
  override name = 'DatabaseDeadlineError';
  readonly code = 'REQUEST_DEADLINE';
}

/** Network and postgres.js connection codes: the database cannot be reached right now. */
const unreachable = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'REQUEST_DEADLINE',
]);

/**
 * SQLSTATEs that mean "not now" rather than "wrong": connection exceptions (class 08), operator
 * intervention (57: shutdown, crash, starting up, and 57014 = statement_timeout), too many
 * connections (53300).
 */
const unavailableSqlState = (code: string) =>
  code.startsWith('08') || code.startsWith('57') || code === '53300';

/** True when a request failed because the database is down, restarting, overloaded or too slow. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const e of causes(error)) {
    if (!(e instanceof Error) || !('code' in e)) continue;
    const code = String(e.code);
    if (unreachable.has(code) || (/^[0-9A-Z]{5}$/.test(code) && unavailableSqlState(code))) return true;
  }
  return false;
}
