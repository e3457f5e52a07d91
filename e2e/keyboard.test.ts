import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { expectTitles, newPerson, signUp } from './support/app';
import { useServerAndBrowser } from './support/harness';
import { screenshot } from './support/browser';

const harness = useServerAndBrowser();

/** What has focus, as "role: accessible name"-ish text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return '';
    const labelled = el.getAttribute('aria-labelledby');
    const name = labelled
      ? document.getElementById(labelled)?.textContent
      : el.getAttribute('aria-label') || el.textContent;
    return `${el.tagName.toLowerCase()}${el.getAttribute('type') ? `[${el.getAttribute('type')}]` : ''}: ${(name ?? '').trim()}`;
  });

const onNewTaskField = (page: Page) =>
  page.evaluate(() => document.activeElement?.classList.contains('new-task-title') ?? false);

/** Presses Tab until `target` has focus (fails after 40 presses). */
async function tabTo(page: Page, target: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const now = await focused(page);
    if (process.env.DEBUG_TAB) console.log(now);
    if (now === target) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`never reached ${target}; focus is on ${await focused(page)}`);
}

describe('keyboard only', () => {
  test('add, edit, complete and delete without a mouse; focus lands somewhere sensible', async () => {
    const context = await harness.browser.newContext();
    const page = await context.newPage();
    await signUp(page, harness.server.baseURL, newPerson('Keys'));

    // The new-task field has focus on arrival and keeps it after each add.
    expect(await onNewTaskField(page)).toBe(true);
    for (const title of ['First', 'Second', 'Third']) {
      await page.keyboard.type(title);
      await page.keyboard.press('Enter');
    }
    await expectTitles(page, ['Third', 'Second', 'First']);
    expect(await onNewTaskField(page)).toBe(true);
    await expect.poll(() => page.locator('.task.pending').count()).toBe(0);

    await tabTo(page, 'input[checkbox]: Second');
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByRole('checkbox', { name: 'Second' }).isChecked()).toBe(true);

    await tabTo(page, 'button[button]: Edit First');
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.type(' (edited)');
    await page.keyboard.press('Enter');
    await expectTitles(page, ['Third', 'Second', 'First (edited)']);
    expect(await focused(page)).toBe('button[button]: Edit First (edited)');

    // Escape leaves the editor without saving.
    await page.keyboard.press('Enter');
    await page.keyboard.type('nonsense');
    await page.keyboard.press('Escape');
    await expectTitles(page, ['Third', 'Second', 'First (edited)']);

    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await tabTo(page, 'button[button]: Delete Second');
    await page.keyboard.press('Enter');
    await expectTitles(page, ['Third', 'First (edited)']);
    // Focus moves to the task that took its place.
    expect(await focused(page)).toBe('input[checkbox]: First (edited)');
    await screenshot(page, 'keyboard-focus');

    await tabTo(page, 'button[button]: Delete First (edited)');
    await page.keyboard.press('Enter');
    await tabTo(page, 'button[button]: Delete Third');
    await page.keyboard.press('Enter');
    await page.getByText('No tasks yet').waitFor();
    expect(await onNewTaskField(page)).toBe(true);
    await context.close();
  });
});
