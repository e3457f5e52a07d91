import { mkdir } from 'node:fs/promises';
import { buildClient } from '../../scripts/client-build';
import { E2E_CLIENT_DIR, RESULTS_DIR } from './paths';

/** Builds the production client once for every e2e file (a second or two). */
export default async function setup(): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  await buildClient(E2E_CLIENT_DIR);
}
