import AxeBuilder from '@axe-core/playwright';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { getToken, signIn as signInFromNode } from '../server/test/server';
import { addTask, expectTitles, newPerson, signUp, type Person } from './support/app';
import { screenshot, watchPage } from './support/browser';
import { useServerAndBrowser } from './support/harness';

const harness = useServerAndBrowser();

/** The person's tasks as the server has them, read through the API from another session. */
async function serverTasks(person: Person): Promise<{ title: string; completed: boolean }[]> {
  const cookie = await signInFromNode(harness.server, person);
  const token = await getToken(harness.server, cookie);
  const response = await fetch(`${harness.server.url}/api/trpc/task.list`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as {
    result: { data: { items: { title: string; completed: boolean }[] } };
  };
  return body.result.data.items.map(({ title, completed }) => ({ title, completed }));
}

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Opens a row's Edit: in the row on a desktop, behind "More actions" on a phone. */
async function startEditing(page: Page, title: string): Promise<void> {
  const more = page.getByRole('button', { name: `More actions for ${title}` });
  if (await more.isVisible()) await more.click();
  await page.getByRole('button', { name: `Edit ${title}` }).click();
}

const sizes: [string, BrowserContextOptions][] = [
  ['1280x800', { viewport: { width: 1280, height: 800 } }],
  ['390x844', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
];

describe('offline in Chromium', () => {
  test.each(sizes)(
    '%s: changes made offline show at once and reach the server exactly once; an offline reload shows the app',
    async (size, options) => {
      const context = await harness.browser.newContext(options);
      const page = await context.newPage();
      const { errors } = watchPage(page);
      const person = newPerson(`Offline${size.replace('x', '')}`);
      await signUp(page, harness.server.baseURL, person);
      await addTask(page, 'Pay rent');
      await addTask(page, 'Call mum');
      // The production build registered its service worker, which precached the app shell.
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });

      await context.setOffline(true);
      const banner = page.getByRole('status').filter({ hasText: 'You’re offline' });
      await banner.waitFor();
      const input = page.getByLabel('New task');
      await input.fill('Buy milk');
      await input.press('Enter');
      await page.getByRole('checkbox', { name: 'Pay rent' }).click();
      await startEditing(page, 'Call mum');
      const title = page.getByLabel('Title', { exact: true });
      await title.fill('Call mum back');
      await title.press('Enter');

      // Shown at once, waiting, not rolled back, and no error.
      await expectTitles(page, ['Buy milk', 'Call mum back', 'Pay rent']);
      expect(await page.getByRole('checkbox', { name: 'Pay rent' }).isChecked()).toBe(true);
      await expect.poll(() => banner.textContent()).toContain('3 changes waiting.');
      expect(await page.getByRole('alert').count()).toBe(0);
      await page.getByText('Waiting for a connection').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `offline-${size}`);
      expect(await serverTasks(person)).toEqual([
        { title: 'Call mum', completed: false },
        { title: 'Pay rent', completed: false },
      ]);

      await context.setOffline(false);
      await banner.waitFor({ state: 'detached' });
      await expect
        .poll(() => serverTasks(person), { timeout: 10_000 })
        .toEqual([
          { title: 'Buy milk', completed: false },
          { title: 'Call mum back', completed: false },
          { title: 'Pay rent', completed: true },
        ]);
      await expect.poll(() => page.locator('.task.pending').count()).toBe(0);
      expect(await page.getByRole('alert').count()).toBe(0);

      // A reload without a connection: the service worker serves the app, which says what needs
      // the connection; when it is back, the list loads by itself.
      await context.setOffline(true);
      await page.reload();
      await page
        .getByText('Your list needs a connection. It loads by itself when you’re back online.')
        .waitFor();
      await page.getByRole('status').filter({ hasText: 'You’re offline' }).waitFor();
      await screenshot(page, `offline-reload-${size}`);
      await context.setOffline(false);
      await expectTitles(page, ['Buy milk', 'Call mum back', 'Pay rent']);
      // The browser logs the requests the offline reload could not make; nothing else.
      expect(
        errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|Failed to load resource/.test(e)),
      ).toEqual([]);
      await context.close();
    },
  );
});
