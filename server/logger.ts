import { pino, type DestinationStream, type Logger } from 'pino';
import { findDatabaseError } from './db/database-error';

export type { Logger };

/**
 * `err` as pino logs it, except a database error: drizzle's message holds the statement and its
 * parameters (user ids, titles, descriptions) and the driver's carries the values and the query
 * again, so such an error is logged as its SQLSTATE, constraint, table, column and routine, with
 * the stack frames of where it was thrown but none of its messages.
 */
export function serializeError(error: unknown): unknown {
  const database = findDatabaseError(error);
  if (!database) return error instanceof Error ? pino.stdSerializers.err(error) : error;
  const frames =
    error instanceof Error ? (error.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)) : [];
  return { type: 'DatabaseError', ...database, stack: frames.join('\n') };
}

/**
 * Structured JSON logs, to stdout unless a destination is given (tests capture everything).
 * Credentials are redacted by path as a second line of defence; the first is that we never pass
 * tokens, passwords or secrets to the logger at all.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      serializers: { err: serializeError },
      redact: {
        paths: [
          'authorization',
          'cookie',
          'password',
          'token',
          'secret',
          'email',
          '*.authorization',
          '*.cookie',
          '*.password',
          '*.token',
          '*.secret',
          '*.email',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
