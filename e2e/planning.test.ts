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

  test('a due date set on add shows in Today, with an overdue task named as such', async () => {
    const { context, page, errors } = await openAs(harness.browser, size);
    // The browser's own dates: the client computes "today" there.
    const [yesterday, today, nextWeek] = await page.evaluate(() =>
      [-1, 0, 7].map((days) => {
        const d = new Date();
        d.setDate(d.getDate() + days);
        return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
      }),
    );
    const addDue = async (title: string, dueOn: string | undefined) => {
      if (dueOn) await page.getByLabel('Due date (optional)').fill(dueOn);
      await addTask(page, title);
    };
    await addDue('Renew passport', yesterday);
    await addDue('Water plants', today);
    await addDue('Book dentist', nextWeek);
    await addDue('Someday', undefined);
    await page
      .locator('.task', { hasText: 'Renew passport' })
      .getByText(/^Overdue: was due/)
      .waitFor();

    await page.getByRole('link', { name: 'Today' }).click();
    await page.waitForURL(/\?filter=today$/);
    await expectTitles(page, ['Renew passport', 'Water plants']);
    await page.locator('.task', { hasText: 'Water plants' }).getByText('Due today').waitFor();
    await screenshot(page, `planning-today-${size.name}`);
    await page.reload();
    await expectTitles(page, ['Renew passport', 'Water plants']);
    await page.getByRole('link', { name: 'Upcoming' }).click();
    await expectTitles(page, ['Book dentist']);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('search finds a task by its description; Escape brings the whole list back', async () => {
    const { context, page, errors } = await openAs(harness.browser, size);
    // The description goes in with the task, through the new-task form.
    await page.getByRole('button', { name: 'Add a description' }).click();
    await page.getByLabel('Description (optional)').fill('The kitchen sink is leaking');
    await addTask(page, 'Call the plumber');
    await page.getByText('The kitchen sink is leaking').waitFor();
    await addTask(page, 'Buy milk');
    await addTask(page, 'Kitten food');

    const box = page.getByRole('searchbox', { name: 'Search tasks' });
    await box.pressSequentially('kitche');
    await expectTitles(page, ['Call the plumber']);
    await screenshot(page, `planning-search-${size.name}`);
    await box.press('Escape');
    expect(await box.inputValue()).toBe('');
    await expectTitles(page, ['Kitten food', 'Buy milk', 'Call the plumber']);
    expect(errors).toEqual([]);
    await context.close();
  });
});
