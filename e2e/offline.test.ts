import AxeBuilder from '@axe-core/playwright';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { getToken, signIn as signInFromNode } from '../server/test/server';
import { addTask, expectTitles, newPerson, signOut, signUp, tick, type Person } from './support/app';
import { screenshot, watchPage } from './support/browser';
import { useServerAndBrowser } from './support/harness';

const harness = useServerAndBrowser();

/** The person's tasks as the server has them, read through the API from another session. */
async function serverTasks(
  person: Person,
): Promise<{ title: string; completed: boolean; version: number }[]> {
  const cookie = await signInFromNode(harness.server, person);
  const token = await getToken(harness.server, cookie);
  const response = await fetch(`${harness.server.url}/api/trpc/task.list`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as {
    result: { data: { items: { title: string; completed: boolean; version: number }[] } };
  };
  return body.result.data.items.map(({ title, completed, version }) => ({ title, completed, version }));
}

/** Titles and completion only, as a person sees them. */
const shown = async (person: Person) =>
  (await serverTasks(person)).map(({ title, completed }) => ({ title, completed }));

/**
 * Everything this origin keeps in IndexedDB (the kept list's store, D38), as JSON, or null when
 * there is no such database at all. Read with the raw API, as anyone with the device could.
 */
async function keptInBrowser(page: Page): Promise<string | null> {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes('tasks-offline')) return names.length ? JSON.stringify(names) : null;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('tasks-offline');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      if (!db.objectStoreNames.contains('kept')) return '[]';
      const values = await new Promise<unknown[]>((resolve, reject) => {
        const request = db.transaction('kept').objectStore('kept').getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      return JSON.stringify(values);
    } finally {
      db.close();
    }
  });
}

/** The number of changes the kept list holds for later (its paused mutations). */
const keptChanges = async (page: Page): Promise<number> => {
  const [record] = JSON.parse((await keptInBrowser(page)) ?? '[]') as {
    client?: { clientState: { mutations: unknown[] } };
  }[];
  return record?.client?.clientState.mutations.length ?? -1;
};

/** Signs in through the form with "Keep my list on this device" ticked. */
async function signInKeepingList(page: Page, person: Person): Promise<void> {
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('checkbox', { name: 'Keep my list on this device for offline use' }).check();
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Your tasks' }).waitFor();
}

/** The network errors an offline reload makes the browser log; nothing else is expected. */
const unexpected = (errors: string[]) =>
  errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|Failed to load resource/.test(e));

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
      expect(await shown(person)).toEqual([
        { title: 'Call mum', completed: false },
        { title: 'Pay rent', completed: false },
      ]);

      await context.setOffline(false);
      await banner.waitFor({ state: 'detached' });
      await expect
        .poll(() => shown(person), { timeout: 10_000 })
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
  test.each(sizes)(
    '%s: kept on this device: an offline reload shows the last list; a change made offline survives a reload and is sent once; sign-out empties the device',
    async (size, options) => {
      const context = await harness.browser.newContext(options);
      const page = await context.newPage();
      const { errors } = watchPage(page);
      const person = newPerson(`Kept${size.replace('x', '')}`);

      // Not kept (the default): nothing of the person lands in IndexedDB.
      await signUp(page, harness.server.baseURL, person);
      await addTask(page, 'Pay rent');
      await addTask(page, 'Call mum');
      await tick(page, 'Call mum');
      expect(await keptInBrowser(page)).toBeNull();
      expect(await page.evaluate(() => localStorage.length)).toBe(0);

      await signOut(page);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await signInKeepingList(page, person);
      await expectTitles(page, ['Call mum', 'Pay rent']);
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });
      await expect.poll(() => keptInBrowser(page)).toContain('Pay rent');
      // Never a token or a password on the device.
      expect(await keptInBrowser(page)).not.toMatch(/eyJ|correct horse|Bearer/);

      // Reload without a connection: the list, honestly labelled.
      await context.setOffline(true);
      await page.reload();
      await expectTitles(page, ['Call mum', 'Pay rent']);
      const banner = page.getByRole('status').filter({ hasText: 'You’re offline' });
      await expect
        .poll(() => banner.textContent())
        .toMatch(
          /Showing your list as last seen (at|on) .+\. Your changes are kept on this device and sent when you’re back online\./,
        );
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `offline-kept-reload-${size}`);

      // A change made offline survives another reload.
      await tick(page, 'Pay rent');
      await expect.poll(() => banner.textContent()).toContain('1 change waiting.');
      await expect.poll(() => keptChanges(page)).toBe(1);
      await page.reload();
      await expect.poll(() => banner.textContent()).toContain('1 change waiting.');
      expect(await page.getByRole('checkbox', { name: 'Pay rent' }).isChecked()).toBe(true);
      expect(await shown(person)).toEqual([
        { title: 'Call mum', completed: true },
        { title: 'Pay rent', completed: false },
      ]);

      // Back online: sent exactly once (one version step: 1 -> 2), and no longer kept as waiting.
      await context.setOffline(false);
      await banner.waitFor({ state: 'detached' });
      await expect
        .poll(() => serverTasks(person), { timeout: 10_000 })
        .toEqual([
          { title: 'Call mum', completed: true, version: 2 },
          { title: 'Pay rent', completed: true, version: 2 },
        ]);
      await expect.poll(() => keptChanges(page)).toBe(0);
      expect(await page.getByRole('alert').count()).toBe(0);

      // Sign-out leaves nothing behind.
      await signOut(page);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await expect.poll(() => keptInBrowser(page)).toBe('[]');
      expect(await page.evaluate(() => localStorage.length)).toBe(0);
      expect(unexpected(errors)).toEqual([]);
      await context.close();
    },
  );

  test.each(sizes)(
    '%s: kept list, sessions ended elsewhere while offline: on reconnect the list and its changes are wiped and sign-in is shown',
    async (size, options) => {
      const context = await harness.browser.newContext(options);
      const page = await context.newPage();
      const person = newPerson(`Revoked${size.replace('x', '')}`);
      await signUp(page, harness.server.baseURL, person);
      await addTask(page, 'Pay rent');
      await signOut(page);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await signInKeepingList(page, person);
      await expectTitles(page, ['Pay rent']);
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });
      await expect.poll(() => keptInBrowser(page)).toContain('Pay rent');

      await context.setOffline(true);
      await page.reload();
      await expectTitles(page, ['Pay rent']);
      await tick(page, 'Pay rent');
      await expect.poll(() => keptChanges(page)).toBe(1);

      // Another device signs out every session (as after a password compromise).
      const cookie = await signInFromNode(harness.server, person);
      const revoked = await fetch(`${harness.server.url}/api/auth/revoke-sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: harness.server.baseURL, cookie },
        body: '{}',
      });
      expect(revoked.status).toBe(200);

      await context.setOffline(false);
      await page.getByText('Your session has ended. Please sign in again to continue.').waitFor();
      await expect.poll(() => keptInBrowser(page)).toBe('[]');
      expect(await page.getByText('Pay rent').count()).toBe(0);
      expect(await shown(person)).toEqual([{ title: 'Pay rent', completed: false }]);
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `offline-kept-revoked-${size}`);
      await context.close();
    },
  );
});
