import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { addTask, newPerson, signOut, signUp } from './support/app';
import { useServerAndBrowser } from './support/harness';
import { screenshot, watchPage } from './support/browser';

const harness = useServerAndBrowser();

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Width and height of the first match, in CSS pixels. */
async function size(page: Page, selector: string): Promise<{ width: number; height: number }> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not shown`);
  return { width: Math.round(box.width), height: Math.round(box.height) };
}

describe('task rows at phone and desktop widths', () => {
  test('390x844 phone: one line per task, 44 px targets, actions in a menu, account in the header', async () => {
    const context = await harness.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    const { errors } = watchPage(page);
    const person = newPerson('Rows');
    await signUp(page, harness.server.baseURL, person);
    for (const title of ['Buy milk', 'Call the plumber', 'Book flights']) await addTask(page, title);

    const checkbox = await size(page, '.task-toggle');
    expect(checkbox.width).toBeGreaterThanOrEqual(24);
    expect(await size(page, '.task-check')).toEqual({ width: 44, height: 44 });
    const more = page.getByRole('button', { name: 'More actions for Buy milk' });
    expect((await more.boundingBox())?.height).toBeGreaterThanOrEqual(44);
    // Edit and Delete are behind the menu: rows stay one line high, no wall of buttons.
    expect(await page.getByRole('button', { name: 'Delete Buy milk' }).isVisible()).toBe(false);
    const row = await size(page, '.task');
    expect(row.height).toBeLessThan(70);

    // Tapping the tick target completes the task.
    await page.locator('.task', { hasText: 'Buy milk' }).locator('.task-check').tap();
    await expect.poll(() => page.getByRole('checkbox', { name: 'Buy milk' }).isChecked()).toBe(true);

    await more.tap();
    await page.getByRole('button', { name: 'Edit Buy milk' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'rows-phone-menu');
    await page.getByRole('button', { name: 'Delete Buy milk' }).tap();
    await page.locator('.task-title', { hasText: 'Buy milk' }).waitFor({ state: 'detached' });

    // The account is reachable on a phone too.
    await page.getByRole('button', { name: `Account: ${person.email}` }).tap();
    await page.getByText(`Signed in as ${person.email}`).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('1280x800 desktop: actions appear on hover and focus, the header keeps its height', async () => {
    const context = await harness.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const { errors } = watchPage(page);
    await page.goto(`${harness.server.baseURL}/sign-in`);
    const signedOutHeader = await size(page, '.topbar');
    await signUp(page, harness.server.baseURL, newPerson('Desk'));
    expect(await size(page, '.topbar')).toEqual(signedOutHeader);
    await addTask(page, 'Write report');
    await addTask(page, 'Plan trip');

    const actions = page.locator('.task', { hasText: 'Write report' }).locator('.task-action-list');
    const opacity = () => actions.evaluate((el) => getComputedStyle(el).opacity);
    await page.mouse.move(0, 0);
    expect(await opacity()).toBe('0');
    await page.locator('.task', { hasText: 'Write report' }).hover();
    expect(await opacity()).toBe('1');
    expect(await page.getByRole('button', { name: 'More actions for Write report' }).isVisible()).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'rows-desktop-hover');

    // Keyboard: focus reveals the actions.
    await page.mouse.move(0, 0);
    await page.getByRole('button', { name: 'Edit Write report' }).focus();
    expect(await opacity()).toBe('1');
    await signOut(page);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
