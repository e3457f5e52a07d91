import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/server';
import { launchBrowser } from './browser';
import { E2E_CLIENT_DIR } from './paths';

/**
 * For one test file: the real server (serving the e2e build of the client) on a fresh PGlite,
 * and Debian's Chromium; both stopped after the file. Read them inside tests, after `beforeAll`.
 */
export function useServerAndBrowser(env: Record<string, string> = {}): {
  server: TestServer;
  browser: Browser;
} {
  const harness = {} as { server: TestServer; browser: Browser };
  beforeAll(async () => {
    [harness.server, harness.browser] = await Promise.all([
      startTestServer('pglite', { clientDir: E2E_CLIENT_DIR, env }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await harness.browser?.close();
    await harness.server?.stop();
  });
  return harness;
}
