import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { addTask, newPerson, signUp } from './support/app';
import { useServerAndBrowser } from './support/harness';
import { E2E_CLIENT_DIR, RESULTS_DIR } from './support/paths';

const harness = useServerAndBrowser();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

describe('performance (recorded in test-results/metrics.json)', () => {
  test('bundle size and time from navigation to an interactive task list', async () => {
    const assets = join(E2E_CLIENT_DIR, 'assets');
    let jsBytes = 0;
    let jsGzip = 0;
    for (const file of await readdir(assets)) {
      if (!file.endsWith('.js')) continue;
      const content = await readFile(join(assets, file));
      jsBytes += content.length;
      jsGzip += gzipSync(content, { level: 9 }).length;
    }

    // The initial JS: what index.html loads before anything else (entry and modulepreloads);
    // lazily loaded pages are not in it.
    const html = await readFile(join(E2E_CLIENT_DIR, 'index.html'), 'utf8');
    let initialGzip = 0;
    for (const [, file] of html.matchAll(/(?:src|href)="\/assets\/([^"]+\.js)"/g)) {
      if (file) initialGzip += gzipSync(await readFile(join(assets, file)), { level: 9 }).length;
    }

    const context = await harness.browser.newContext();
    const page = await context.newPage();
    await signUp(page, harness.server.baseURL, newPerson('Timer'));
    for (const title of ['One', 'Two', 'Three', 'Four', 'Five']) await addTask(page, title);

    // Each run is a full page load with a warm HTTP cache, as for someone who comes back.
    const runs: number[] = [];
    for (let i = 0; i < 7; i++) {
      await page.goto(`${harness.server.baseURL}/`, { waitUntil: 'commit' });
      await page.waitForFunction(
        () => document.querySelectorAll('.task-toggle:not([disabled])').length === 5,
        null,
        {
          polling: 'raf',
        },
      );
      runs.push(await page.evaluate(() => performance.now()));
    }
    // And once with an empty cache (first visit after sign-in).
    const cold = await harness.browser.newContext({ storageState: await context.storageState() });
    const coldPage = await cold.newPage();
    await coldPage.goto(`${harness.server.baseURL}/`, { waitUntil: 'commit' });
    await coldPage.waitForFunction(
      () => document.querySelectorAll('.task-toggle:not([disabled])').length === 5,
      null,
      {
        polling: 'raf',
      },
    );
    const coldMs = await coldPage.evaluate(() => performance.now());

    const metrics = {
      bundle: { jsBytes, jsGzipBytes: jsGzip, initialJsGzipBytes: initialGzip },
      navigationToInteractiveListMs: {
        warmMedian: Math.round(median(runs)),
        warmRuns: runs.map(Math.round),
        cold: Math.round(coldMs),
      },
    };
    await writeFile(join(RESULTS_DIR, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
    console.log(JSON.stringify(metrics));

    // Generous ceilings: these catch regressions, the JSON has the numbers.
    expect(jsGzip).toBeLessThan(200 * 1024);
    // The budget (client.md): the first load carries at most 150 KiB of gzipped JS.
    expect(initialGzip).toBeGreaterThan(0);
    expect(initialGzip).toBeLessThanOrEqual(150 * 1024);
    expect(median(runs)).toBeLessThan(2_000);
    await cold.close();
    await context.close();
  });
});
