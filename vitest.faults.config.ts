/** `npm run test:faults`: tests that stop and restart a private PostgreSQL cluster (CI runs them). */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.faults.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
