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
    ...overrides,
  });
}

export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789';

export const silentLogger = (): Logger => createLogger('silent');
