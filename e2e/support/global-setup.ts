import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { E2E_CLIENT_DIR, RESULTS_DIR } from './paths';

/** Builds the production client once for every e2e file (about a second). */
export default async function setup(): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  await build({
    configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)),
    logLevel: 'warn',
    build: { outDir: E2E_CLIENT_DIR, emptyOutDir: true },
  });
}
