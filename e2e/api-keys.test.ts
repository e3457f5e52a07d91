/**
 * A person gives a service an API key in Chromium: create it on the API keys page (the secret is
 * shown once), the service exchanges it with a plain HTTP call and reads tasks, the person revokes
 * it, and the service's token and key stop working.
 */
import AxeBuilder from '@axe-core/playwright';
import { describe, expect, test } from 'vitest';
import { API_KEY_TOKEN_PATH } from '../shared/api-key';
import { addTask, newPerson, signUp } from './support/app';
import { screenshot, watchPage } from './support/browser';
import { useServerAndBrowser } from './support/harness';

const harness = useServerAndBrowser();

/** What a service does with curl: `curl -X POST -H "x-api-key: $KEY" $B/api/auth/api-key/token`. */
async function exchange(key: string): Promise<{ status: number; token?: string }> {
  const response = await fetch(`${harness.server.url}${API_KEY_TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'x-api-key': key },
  });
  const body = (await response.json()) as { token?: string };
  return { status: response.status, ...(body.token ? { token: body.token } : {}) };
}

async function trpc(token: string, path: string, body?: unknown): Promise<number> {
  const response = await fetch(`${harness.server.url}/api/trpc/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await response.body?.cancel();
  return response.status;
}

describe('API keys in Chromium', () => {
  test('create a key, see it once, use it from a service, revoke it, and the service is refused', async () => {
    const context = await harness.browser.newContext({ viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    const { errors } = watchPage(page);
    await signUp(page, harness.server.baseURL, newPerson('Keys'));
    await addTask(page, 'Read by a service');

    // Through the account menu, by keyboard.
    await page.getByRole('button', { name: /^Account: / }).focus();
    await page.keyboard.press('Enter'); // the menu opens on "Account settings"
    await page.keyboard.press('Tab'); // then "Recently deleted"
    await page.keyboard.press('Tab'); // then "API keys"
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    await page.getByText('No keys yet.').waitFor();

    await page.getByLabel('Name').fill('e2e reporter');
    // Read only: the default scope.
    expect(await page.getByRole('checkbox', { name: /Read tasks/ }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /Add, change/ }).isChecked()).toBe(false);
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('heading', { name: 'Your new key “e2e reporter”' }).waitFor();
    const key = await page.getByLabel('New API key').inputValue();
    expect(key).toMatch(/^tm_[A-Za-z]{64}$/);
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    await screenshot(page, 'api-key-created');

    // Seen once: after hiding it, and after a reload, the page never shows it again.
    await page.getByRole('button', { name: 'I have saved it, hide the key' }).click();
    await page.reload();
    await page.getByRole('rowheader', { name: /e2e reporter/ }).waitFor();
    expect(await page.content()).not.toContain(key);

    // The service: exchange, read, and a write the read-only key may not do.
    const { status, token } = await exchange(key);
    expect(status).toBe(200);
    if (!token) throw new Error('no token');
    expect(await trpc(token, 'task.list')).toBe(200);
    expect(await trpc(token, 'task.create', { title: 'not allowed' })).toBe(403);

    // The list now shows when the key was last used.
    await page.reload();
    const row = page.getByRole('row', { name: /e2e reporter/ });
    await expect.poll(() => row.getByRole('cell').nth(2).textContent()).not.toBe('Never');

    // Revoke, confirming first.
    await page.getByRole('button', { name: 'Revoke e2e reporter' }).click();
    const confirm = page.getByRole('group', { name: 'Confirm revoking e2e reporter' });
    await screenshot(page, 'api-key-revoke-confirm');
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('No keys yet.').waitFor();

    expect(await trpc(token, 'task.list')).toBe(401);
    expect((await exchange(key)).status).toBe(401);
    expect(errors).toEqual([]);
    await context.close();
  });
});
