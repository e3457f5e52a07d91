import { mkdir } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { buildClient } from '../../scripts/client-build';
import { resolveChromium } from './chromium-path';
import { E2E_CLIENT_DIR, RESULTS_DIR } from './paths';

declare module 'vitest' {
  export interface ProvidedContext {
    chromiumPath: string;
  }
}

/** Builds the production client once for every e2e file, and finds (or unpacks) Chromium once. */
export default async function setup(project: TestProject): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const [chromium] = await Promise.all([resolveChromium(), buildClient(E2E_CLIENT_DIR)]);
  console.log(`e2e: Chromium from ${chromium.source}: ${chromium.path}`);
  project.provide('chromiumPath', chromium.path);
}
