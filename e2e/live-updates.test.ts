import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { addTask, expectTitles, newPerson, signIn, signUp, tick } from './support/app';
import { useServerAndBrowser } from './support/harness';
import { screenshot, watchPage } from './support/browser';

const harness = useServerAndBrowser();

/** Resolves once `page` shows the live indicator in `state`. */
const liveState = (page: Page, state: string) =>
  page.locator(`.live-indicator[data-live-state="${state}"]`).waitFor({ timeout: 10_000 });

/** How long (ms) until `page` shows exactly `titles`, failing past `limitMs`. */
async function seenWithin(page: Page, titles: string[], limitMs: number): Promise<number> {
  const started = Date.now();
  await expect
    .poll(() => page.locator('.task-title').allTextContents(), { timeout: limitMs, interval: 20 })
    .toEqual(titles);
  return Date.now() - started;
}

describe('live updates between two tabs of one person in Chromium', () => {
  test('add, edit, toggle, delete and clear completed in one are seen in the other within 1 s; another person sees nothing; a dropped connection catches up', async () => {
    const alice = newPerson('Alice');
    const contexts: BrowserContext[] = [];
    const open = async () => {
      const context = await harness.browser.newContext({ viewport: { width: 1000, height: 800 } });
      contexts.push(context);
      return { context, page: await context.newPage() };
    };
    try {
      const a = await open();
      await signUp(a.page, harness.server.baseURL, alice);
      const b = await open();
      const { errors } = watchPage(b.page);
      await b.page.goto(`${harness.server.baseURL}/sign-in`);
      await signIn(b.page, alice);
      await b.page.getByRole('heading', { name: 'Your tasks' }).waitFor();
      const bob = await open();
      await signUp(bob.page, harness.server.baseURL, newPerson('Bob'));
      await Promise.all([
        liveState(a.page, 'connected'),
        liveState(b.page, 'connected'),
        liveState(bob.page, 'connected'),
      ]);
      expect(await b.page.locator('.live-indicator').textContent()).toContain('Live');

      const delays: Record<string, number> = {};
      await addTask(a.page, 'Buy milk');
      delays.add = await seenWithin(b.page, ['Buy milk'], 1_000);
      await addTask(a.page, 'Write report');
      await seenWithin(b.page, ['Write report', 'Buy milk'], 1_000);

      await a.page.getByRole('button', { name: 'Edit Write report' }).click();
      const title = a.page.getByLabel('Title', { exact: true });
      await title.fill('Write the report');
      await title.press('Enter');
      delays.edit = await seenWithin(b.page, ['Write the report', 'Buy milk'], 1_000);

      await tick(a.page, 'Buy milk');
      const started = Date.now();
      await expect
        .poll(() => b.page.getByRole('checkbox', { name: 'Buy milk' }).isChecked(), {
          timeout: 1_000,
          interval: 20,
        })
        .toBe(true);
      delays.toggle = Date.now() - started;
      await b.page.getByRole('link', { name: 'Completed 1' }).waitFor({ timeout: 1_000 });

      await a.page.getByRole('button', { name: 'Clear completed (1)' }).click();
      await a.page.getByRole('button', { name: 'Delete', exact: true }).click();
      delays.clear = await seenWithin(b.page, ['Write the report'], 1_000);
      await b.page.getByRole('link', { name: 'All 1' }).waitFor({ timeout: 1_000 });

      // Delete (the row menu holds Delete on narrow screens; this viewport shows it).
      await a.page.getByRole('button', { name: 'Delete Write the report' }).click();
      delays.delete = await seenWithin(b.page, [], 1_000);

      // Bob, another person, saw none of it.
      expect(await bob.page.locator('.task-title').count()).toBe(0);
      await bob.page.getByText('No tasks yet').waitFor();

      // B loses its connection; A keeps working; B comes back and catches up, nothing missed or twice.
      await b.context.setOffline(true);
      await liveState(b.page, 'offline');
      await screenshot(b.page, 'live-offline');
      await addTask(a.page, 'While away 1');
      await addTask(a.page, 'While away 2');
      await b.context.setOffline(false);
      await expectTitles(b.page, ['While away 2', 'While away 1']);
      await liveState(b.page, 'connected');
      await addTask(a.page, 'After return');
      await seenWithin(b.page, ['After return', 'While away 2', 'While away 1'], 1_000);
      await b.page.getByRole('link', { name: 'All 3' }).waitFor({ timeout: 1_000 });
      expect(await bob.page.locator('.task-title').count()).toBe(0);
      await screenshot(b.page, 'live-second-tab');
      console.log(`live update delays (ms): ${JSON.stringify(delays)}`);
      expect(errors).toEqual([]);
    } finally {
      for (const context of contexts) await context.close();
    }
  });
});
