import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

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
      redact: {
        paths: [
          'authorization',
          'cookie',
          'password',
          'token',
          'secret',
          '*.authorization',
          '*.cookie',
          '*.password',
          '*.token',
          '*.secret',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
