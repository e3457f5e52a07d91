import { fileURLToPath } from 'node:url';

/** Where the e2e global setup builds the client (git-ignored, rebuilt each run). */
export const E2E_CLIENT_DIR = fileURLToPath(new URL('../../dist/e2e-client', import.meta.url));
/** Screenshots and other artifacts (git-ignored). */
export const RESULTS_DIR = fileURLToPath(new URL('../../test-results', import.meta.url));
