import { describe, expect, test } from 'vitest';
import { addTask, expectTitles, newPerson, signIn, signUp, tick } from './support/app';
import { useServerAndBrowser } from './support/harness';
import { screenshot } from './support/browser';

const TTL_SECONDS = 5;

const harness = useServerAndBrowser({ JWT_TTL_SECONDS: String(TTL_SECONDS) });

describe(`with ${TTL_SECONDS}-second tokens`, () => {
  test('the page keeps working across several expiries, then explains an ended session', async () => {
    const context = await harness.browser.newContext();
    const page = await context.newPage();
    let tokenFetches = 0;
    const refusals: string[] = [];
    page.on('response', (response) => {
      const url = response.url();
      if (url.includes('/api/auth/token') && response.status() === 200) tokenFetches += 1;
      if (url.includes('/api/trpc/') && response.status() >= 400)
        refusals.push(`${response.status()} ${url}`);
    });

    const person = newPerson('Patient');
    await signUp(page, harness.server.baseURL, person);
    await addTask(page, 'Task 0');

    // ~4 token lifetimes: act, sit idle past an expiry, act again.
    const started = Date.now();
    let n = 0;
    while (Date.now() - started < 4 * TTL_SECONDS * 1000) {
      await page.waitForTimeout(TTL_SECONDS * 1000 + 500);
      n += 1;
      await addTask(page, `Task ${n}`);
      await tick(page, `Task ${n - 1}`, { exact: true });
      await expect.poll(() => page.locator('.task.pending').count()).toBe(0);
    }
    await page.reload();
    await page.locator('.task-title', { hasText: `Task ${n}` }).waitFor();
    expect(await page.locator('.task').count()).toBe(n + 1);
    expect(await page.getByRole('alert').count()).toBe(0);
    // Renewed ahead of expiry: no request was ever refused.
    expect(refusals).toEqual([]);
    expect(tokenFetches).toBeGreaterThanOrEqual(4);

    // The session disappears (cookie gone, e.g. signed out elsewhere): sent to sign-in, then back.
    await page.getByRole('link', { name: /^Active/ }).click();
    await page.waitForURL(/\?filter=active$/);
    await context.clearCookies();
    await page.getByText('Your session has ended').waitFor({ timeout: TTL_SECONDS * 1000 + 5_000 });
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await page.locator('.task-title').count()).toBe(0);
    await screenshot(page, 'session-ended');
    await signIn(page, person);
    await page.waitForURL(/\/\?filter=active$/);
    await expectTitles(page, [`Task ${n}`]);
    await context.close();
  });
});
