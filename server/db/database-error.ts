/**
 * What a PostgreSQL (or PGlite) error says that is safe to act on and to log. Its message, detail
 * and the failed query's parameters are left out on purpose: they quote the values (emails, titles,
 * ids) that the statement carried.
 */
export interface DatabaseErrorInfo {
  /** The SQLSTATE, e.g. `23503` (foreign key violation), `22008` (datetime out of range). */
  code: string;
  constraint?: string | undefined;
  table?: string | undefined;
  column?: string | undefined;
  /** The PostgreSQL C function that raised it, e.g. `DateTimeParseError`. */
  routine?: string | undefined;
}

/** The first database error in `error`'s cause chain (drizzle wraps the driver's error), if any. */
export function findDatabaseError(error: unknown): DatabaseErrorInfo | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 8; depth++, current = current.cause) {
    const fields = current as Error & Record<string, unknown>;
    const text = (...names: string[]) => {
      for (const name of names) {
        const value = fields[name];
        if (typeof value === 'string' && value !== '') return value;
      }
      return undefined;
    };
    // Both drivers set `severity` beside the SQLSTATE; Node's own errors (`EPIPE`) have neither.
    const code = text('code');
    if (code && /^[0-9A-Z]{5}$/.test(code) && text('severity')) {
      return {
        code,
        // PGlite names the fields like node-postgres; postgres-js like the protocol.
        constraint: text('constraint', 'constraint_name'),
        table: text('table', 'table_name'),
        column: text('column', 'column_name'),
        routine: text('routine'),
      };
    }
  }
  return undefined;
}

/** SQLSTATE 23503: a row names one that does not exist (a task for a deleted user). */
export const isForeignKeyViolation = (error: unknown): boolean => findDatabaseError(error)?.code === '23503';

/** SQLSTATE class 22, "data exception": the database refused a value (out of range, malformed). */
export const isDataException = (error: unknown): boolean =>
  findDatabaseError(error)?.code.startsWith('22') ?? false;

// ---------------------------------------------------------------------------------------------
// Telling "the database is unavailable" apart from a bug: codes only, never messages.
// ---------------------------------------------------------------------------------------------

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
