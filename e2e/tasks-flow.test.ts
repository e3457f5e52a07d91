import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { addTask, expectTitles, newPerson, signIn, signOut, signUp, tick } from './support/app';
import { useServerAndBrowser } from './support/harness';
import { screenshot, watchPage } from './support/browser';

const harness = useServerAndBrowser();

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

describe('a person manages their tasks in Chromium', () => {
  test('sign up, add, edit, toggle, filter, reload, sign out, sign in; a second user sees nothing', async () => {
    const context = await harness.browser.newContext({ viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    const { errors } = watchPage(page);
    const alice = newPerson('Alice');

    // A signed-out visitor to / lands on sign-in.
    await page.goto(`${harness.server.baseURL}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in');
    // Finding out that nobody is signed in is not an error (no 401 in the console).
    expect(errors).toEqual([]);

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    // The shared rules run before anything is sent.
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Name is required').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'sign-up-errors');

    await signUp(page, harness.server.baseURL, alice);
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByText('No tasks yet').waitFor();
    await screenshot(page, 'tasks-empty');

    for (const title of ['Buy milk', 'Write report', 'Call <b>Bob</b>']) await addTask(page, title);
    await expectTitles(page, ['Call <b>Bob</b>', 'Write report', 'Buy milk']);
    // Text, never markup.
    expect(await page.locator('.task-title b').count()).toBe(0);

    // Edit in place: Enter saves.
    await page.getByRole('button', { name: 'Edit Write report' }).click();
    const title = page.getByLabel('Title', { exact: true });
    await title.fill('Write the quarterly report');
    await page.getByLabel('Description', { exact: true }).fill('Numbers from finance first');
    await screenshot(page, 'task-editing');
    await title.press('Enter');
    await page.getByText('Numbers from finance first').waitFor();
    await expectTitles(page, ['Call <b>Bob</b>', 'Write the quarterly report', 'Buy milk']);

    // Escape cancels.
    await page.getByRole('button', { name: 'Edit Buy milk' }).click();
    await page.getByLabel('Title', { exact: true }).fill('Something else');
    await page.getByLabel('Title', { exact: true }).press('Escape');
    await expectTitles(page, ['Call <b>Bob</b>', 'Write the quarterly report', 'Buy milk']);

    await tick(page, 'Buy milk');
    await expect.poll(() => page.getByRole('link', { name: 'Completed 1' }).count()).toBe(1);
    await page.getByRole('link', { name: 'Active 2' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'tasks-list');

    await page.getByRole('link', { name: /^Active/ }).click();
    await page.waitForURL(/\?filter=active$/);
    await expectTitles(page, ['Call <b>Bob</b>', 'Write the quarterly report']);
    await page.getByRole('link', { name: /^Completed/ }).click();
    await page.waitForURL(/\?filter=completed$/);
    await expectTitles(page, ['Buy milk']);
    await page.goBack();
    await page.waitForURL(/\?filter=active$/);
    await expectTitles(page, ['Call <b>Bob</b>', 'Write the quarterly report']);

    // Reload keeps the page, the filter and the data (the token is fetched again from the cookie).
    await page.reload();
    await expectTitles(page, ['Call <b>Bob</b>', 'Write the quarterly report']);
    expect(page.url()).toMatch(/\?filter=active$/);
    await page.getByRole('link', { name: /^All/ }).click();
    await expectTitles(page, ['Call <b>Bob</b>', 'Write the quarterly report', 'Buy milk']);
    expect(await page.getByRole('checkbox', { name: 'Buy milk' }).isChecked()).toBe(true);
    await expect.poll(() => page.getByText('Numbers from finance first').count()).toBe(1);

    // Nothing about the token is kept in Web Storage.
    const storage = await page.evaluate(() => [localStorage.length, sessionStorage.length]);
    expect(storage).toEqual([0, 0]);

    // Clear completed: one call; the list and the counts follow.
    await page.getByRole('button', { name: 'Clear completed (1)' }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await expectTitles(page, ['Call <b>Bob</b>', 'Write the quarterly report']);
    await page.getByRole('link', { name: 'Completed 0' }).waitFor();
    await page.getByRole('link', { name: 'All 2' }).waitFor();
    await page.getByText('Deleted 1 completed task.').waitFor({ state: 'attached' });

    await signOut(page);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.locator('.task-title').count()).toBe(0);

    // Wrong password is explained; the right one works.
    await page.getByLabel('Email').fill(alice.email);
    await page.getByLabel('Password', { exact: true }).fill('wrong password!');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('That email and password don’t match an account.').waitFor();
    await screenshot(page, 'sign-in-wrong-password');
    await signIn(page, alice);
    // Back where the back button was heading: the Active filter.
    await page.waitForURL(/\/\?filter=active$/);
    await expectTitles(page, ['Call <b>Bob</b>', 'Write the quarterly report']);
    await signOut(page);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    // A taken email is explained on sign-up.
    await page.goto(`${harness.server.baseURL}/sign-up`);
    await page.getByLabel('Name').fill('Mallory');
    await page.getByLabel('Email').fill(alice.email);
    await page.getByLabel('Password', { exact: true }).fill('another long password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('An account with this email already exists.').waitFor();

    // Second user on the same browser sees none of Alice's tasks.
    const bob = newPerson('Bob');
    await signUp(page, harness.server.baseURL, bob);
    await page.getByText('No tasks yet').waitFor();
    expect(await page.locator('.task-title').count()).toBe(0);
    await addTask(page, 'Bob’s own task');
    await expectTitles(page, ['Bob’s own task']);
    expect(await page.getByText('Buy milk').count()).toBe(0);

    // Only the refusals this test provoked: the wrong password (401) and the taken email (422).
    expect(errors.filter((e) => !/status of (401|422)/.test(e))).toEqual([]);
    expect(errors).toHaveLength(2);
    await context.close();
  });

  test('phone-sized screen', async () => {
    const context = await harness.browser.newContext({
      viewport: { width: 320, height: 640 },
      isMobile: true,
    });
    const page = await context.newPage();
    await signUp(page, harness.server.baseURL, newPerson('Phone'));
    await addTask(page, 'A fairly long task title that has to wrap on a narrow phone screen');
    await addTask(page, 'Short');
    expect(await seriousViolations(page)).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
    await screenshot(page, 'tasks-phone');
    await context.close();
  });

  test('signing out in one tab signs out the others at once', async () => {
    const context = await harness.browser.newContext();
    const first = await context.newPage();
    const person = newPerson('Tabs');
    await signUp(first, harness.server.baseURL, person);
    await addTask(first, 'Visible in both tabs');
    const second = await context.newPage();
    await second.goto(`${harness.server.baseURL}/?filter=active`);
    await second.getByText('Visible in both tabs').waitFor();

    await signOut(first);
    await second.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 5_000 });
    expect(await second.getByText('Visible in both tabs').count()).toBe(0);

    // Signing in again in one tab brings the other back to where it was.
    await signIn(first, person);
    await second.waitForURL(/\/\?filter=active$/, { timeout: 5_000 });
    await second.getByText('Visible in both tabs').waitFor();
    await context.close();
  });
});
