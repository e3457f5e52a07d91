/**
 * Planning in Chromium (issue 14, item 2), at a desktop and a phone size: mark all complete,
 * due dates and the Today view, search, as a person does them.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { addTask, expectTitles, newPerson, signUp } from './support/app';
import { screenshot, watchPage } from './support/browser';
import { useServerAndBrowser } from './support/harness';

const harness = useServerAndBrowser();

const sizes = [
  { name: 'desktop', viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
] as const;

async function openAs(browser: Browser, size: (typeof sizes)[number]) {
  const { name: _, ...options } = size;
  const context: BrowserContext = await browser.newContext(options);
  const page: Page = await context.newPage();
  const watched = watchPage(page);
  await signUp(page, harness.server.baseURL, newPerson('Planner'));
  return { context, page, errors: watched.errors };
}

describe.each(sizes)('planning at $name size', (size) => {
  test('mark all complete ticks every task, and the choice survives a reload', async () => {
    const { context, page, errors } = await openAs(harness.browser, size);
    for (const title of ['Buy milk', 'Write report', 'Call Bob']) await addTask(page, title);
    await page.getByRole('checkbox', { name: 'Mark all as complete' }).click();
    await page.getByText('0 tasks left').waitFor();
    for (const title of ['Buy milk', 'Write report', 'Call Bob']) {
      await expect.poll(() => page.getByRole('checkbox', { name: title }).isChecked()).toBe(true);
    }
    await page.reload();
    await page.getByText('0 tasks left').waitFor();
    expect(await page.getByRole('checkbox', { name: 'Mark all as complete' }).isChecked()).toBe(true);
    await expectTitles(page, ['Call Bob', 'Write report', 'Buy milk']);
    await screenshot(page, `planning-all-complete-${size.name}`);
    expect(errors).toEqual([]);
    await context.close();
  });
});
