import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv, type Env } from '../env';
import { createLogger, type Logger } from '../logger';

/** A valid test environment; tests override only what they exercise. */
export function testEnv(overrides: Record<string, string> = {}): Env {
  return parseEnv({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    RATE_LIMIT_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    // Without SMTP, mail (the verification mail of every sign-up) goes to DATA_DIR/outbox: a
    // temporary folder, never the repository's .data.
    DATA_DIR: TEST_DATA_DIR,
    ...overrides,
  });
}

export const TEST_DATA_DIR = join(tmpdir(), `tasks-test-${process.pid}`);
// One folder per test process, gone with it: the outbox mails of a run are not left in /tmp.
process.once('exit', () => rmSync(TEST_DATA_DIR, { recursive: true, force: true }));

export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789';

export const silentLogger = (): Logger => createLogger('silent');
