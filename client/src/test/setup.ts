import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';
import { cleanupApps } from './render-app';

// The tests wait for a real router over PGlite, on a machine shared with other test runs: the
// first query of a file (cold) can take longer than testing-library's default second.
configure({ asyncUtilTimeout: 5_000 });

afterEach(() => {
  cleanup();
  cleanupApps();
});
