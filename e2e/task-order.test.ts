/**
 * Manual order in Chromium (issue 14, item 2 part 4; D37), at a desktop and a phone size: a drag
 * with the pointer, a move with the keyboard (the handle, and Alt+arrows on a row), both surviving
 * a reload, announced, and clean under axe.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { addTask, expectTitles, newPerson, signIn, signUp, tick } from './support/app';
import { screenshot, watchPage } from './support/browser';
import { useServerAndBrowser } from './support/harness';

const harness = useServerAndBrowser();

const sizes = [
  { name: 'desktop', viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
] as const;

async function openWith(browser: Browser, size: (typeof sizes)[number], titles: string[]) {
  const { name: _, ...options } = size;
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const watched = watchPage(page);
  await signUp(page, harness.server.baseURL, newPerson('Orderer'));
  // Each new task goes on top: add the last one first.
  for (const title of [...titles].reverse()) await addTask(page, title);
  await expectTitles(page, titles);
  await page.getByRole('button', { name: `Move ${titles[0]}` }).waitFor();
  return { context, page, errors: watched.errors };
}

/** Waits until no row is being saved, then reloads and returns the order the server keeps. */
async function reloadedOrder(page: Page, expected: string[]) {
  await page.locator('.task[aria-busy="true"]').first().waitFor({ state: 'detached' });
  await page.reload();
  await expectTitles(page, expected);
}

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

describe.each(sizes)('manual order at $name size', (size) => {
  test('a drag by the Move handle reorders the list, and the order survives a reload', async () => {
    const { context, page, errors } = await openWith(harness.browser, size, ['One', 'Two', 'Three', 'Four']);
    // The whole list in view (on a phone the page above it is long).
    await page.locator('.task-footer').scrollIntoViewIfNeeded();
    const handle = page.getByRole('button', { name: 'Move Four' });
    const box = await handle.boundingBox();
    const target = await page.locator('.task', { hasText: 'One' }).boundingBox();
    if (!box || !target) throw new Error('no layout');
    // The handle is a 44 px target.
    expect(box.width).toBeGreaterThanOrEqual(44);
    expect(box.height).toBeGreaterThanOrEqual(44);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    // In steps, as a hand moves: past the activation distance, then over the first row.
    for (let step = 1; step <= 10; step++) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + ((target.y - box.y) * step) / 10);
    }
    await page.mouse.move(box.x + box.width / 2, target.y + 2);
    await page.mouse.up();
    await expectTitles(page, ['Four', 'One', 'Two', 'Three']);
    await screenshot(page, `task-order-drag-${size.name}`);
    await reloadedOrder(page, ['Four', 'One', 'Two', 'Three']);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('the keyboard moves a task: Space on the handle, arrows, Space; and Alt+arrows on a row', async () => {
    const { context, page, errors } = await openWith(harness.browser, size, ['Alpha', 'Beta', 'Gamma']);
    await page.locator('.task-footer').scrollIntoViewIfNeeded();
    const handle = page.getByRole('button', { name: 'Move Alpha' });
    await handle.focus();
    await page.keyboard.press('Space');
    await page.getByText(/Picked up “Alpha”, position 1 of 3/).waitFor({ state: 'attached' });
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('ArrowDown');
    await page.getByText('“Alpha” is over position 2 of 3.').waitFor({ state: 'attached' });
    await page.keyboard.press('ArrowDown');
    await page.getByText('“Alpha” is over position 3 of 3.').waitFor({ state: 'attached' });
    await page.keyboard.press('Space');
    await page.getByText('Moved “Alpha” to position 3 of 3.').waitFor({ state: 'attached' });
    await expectTitles(page, ['Beta', 'Gamma', 'Alpha']);
    // Focus comes back to the handle; Escape cancels a pick-up.
    await expect.poll(() => handle.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Escape');
    await expectTitles(page, ['Beta', 'Gamma', 'Alpha']);

    // Alt+Up on the row's checkbox: one place up, focus stays on the checkbox.
    const gamma = page.getByRole('checkbox', { name: 'Gamma' });
    await gamma.focus();
    await page.keyboard.press('Alt+ArrowUp');
    await expectTitles(page, ['Gamma', 'Beta', 'Alpha']);
    await page.getByText('Moved “Gamma” to position 1 of 3.').waitFor({ state: 'attached' });
    await expect.poll(() => gamma.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await reloadedOrder(page, ['Gamma', 'Beta', 'Alpha']);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('reordering in Active keeps completed tasks out of the way; a new task goes on top', async () => {
    const { context, page, errors } = await openWith(harness.browser, size, ['Red', 'Done', 'Blue']);
    await tick(page, 'Done');
    await page.getByRole('link', { name: /^Active/ }).click();
    await expectTitles(page, ['Red', 'Blue']);
    await page.getByRole('checkbox', { name: 'Blue' }).focus();
    await page.keyboard.press('Alt+ArrowUp');
    await expectTitles(page, ['Blue', 'Red']);
    await reloadedOrder(page, ['Blue', 'Red']);
    await addTask(page, 'Green');
    await expectTitles(page, ['Green', 'Blue', 'Red']);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('manual order between two tabs', () => {
  test('a move in one tab reorders the other live, without a reload', async () => {
    const person = newPerson('Twotabs');
    const a = await harness.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const b = await harness.browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const first = await a.newPage();
      await signUp(first, harness.server.baseURL, person);
      for (const title of ['Three', 'Two', 'One']) await addTask(first, title);
      const second = await b.newPage();
      const { errors } = watchPage(second);
      await second.goto(`${harness.server.baseURL}/sign-in`);
      await signIn(second, person);
      await expectTitles(second, ['One', 'Two', 'Three']);
      await second.locator('.live-indicator[data-live-state="connected"]').waitFor({ timeout: 10_000 });

      await first.getByRole('button', { name: 'Move Three' }).waitFor();
      await first.getByRole('checkbox', { name: 'Three' }).focus();
      await first.keyboard.press('Alt+ArrowUp');
      await expectTitles(first, ['One', 'Three', 'Two']);
      await first.keyboard.press('Alt+ArrowUp');
      await expectTitles(first, ['Three', 'One', 'Two']);
      await expectTitles(second, ['Three', 'One', 'Two']);
      expect(errors).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
