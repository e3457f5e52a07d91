import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, test } from 'vitest';
import { addTask, newPerson, signIn, signUp } from './support/app';
import { screenshot, watchPage } from './support/browser';
import { useServerAndBrowser } from './support/harness';
import { linkIn, outboxMail } from './support/outbox';

// No SMTP: mail goes to this server's development outbox, which the test reads like a mailbox.
const dataDir = mkdtempSync(join(tmpdir(), 'e2e-account-'));
const harness = useServerAndBrowser({ DATA_DIR: dataDir });
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

async function openAccountPage(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Account: / }).click();
  await page.getByRole('link', { name: 'Account settings' }).click();
  await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
}

describe('account lifecycle in Chromium', () => {
  test('verify the email, see and end another session, change the password, reset it by mail, delete the account', async () => {
    const base = harness.server.baseURL;
    const laptop = await harness.browser.newContext({ viewport: { width: 1100, height: 900 } });
    const phone = await harness.browser.newContext({
      viewport: { width: 390, height: 844 },
      userAgent:
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1',
    });
    const page = await laptop.newPage();
    const { errors } = watchPage(page);
    const ann = newPerson('Ann');

    // Sign-up: the app works at once, and a banner asks to confirm the address.
    await signUp(page, base, ann);
    await addTask(page, 'Kept until the account goes');
    const banner = page.getByRole('complementary', { name: 'Email verification' });
    await banner.waitFor();
    const verify = await outboxMail(dataDir, ann.email, 'Confirm your email for Tasks');
    await page.goto(linkIn(verify, '/api/auth/verify-email'));
    await page.getByRole('heading', { name: 'Your tasks' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await expect.poll(() => banner.count()).toBe(0);

    // Another device signs in; the account page lists both and ends the other one.
    const phonePage = await phone.newPage();
    await phonePage.goto(`${base}/sign-in`);
    await signIn(phonePage, ann);
    await phonePage.getByRole('heading', { name: 'Your tasks' }).waitFor();

    await openAccountPage(page);
    await page.getByText(ann.email).first().waitFor();
    const devices = page.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem');
    await expect.poll(() => devices.count()).toBe(2);
    await page.getByText('Safari on iOS').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'account');
    await page.getByRole('button', { name: /^Sign out Safari on iOS/ }).click();
    await expect.poll(() => devices.count()).toBe(1);
    await phonePage.reload();
    await phonePage.getByRole('heading', { name: 'Sign in' }).waitFor();

    // Change password: this device stays signed in.
    await page.getByLabel('Current password', { exact: true }).fill(ann.password);
    await page.getByLabel('New password', { exact: true }).fill('a changed passphrase 1');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. Your other devices have been signed out.').waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();

    // Forgot it anyway: reset by mail from the sign-in page, in a fresh browser.
    await phonePage.getByRole('link', { name: 'Forgot password?' }).click();
    await phonePage.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await phonePage.getByLabel('Email').fill(ann.email);
    await phonePage.getByRole('button', { name: 'Send reset link' }).click();
    await phonePage.getByText(/we have sent it a link/).waitFor();
    const reset = await outboxMail(dataDir, ann.email, 'Reset your Tasks password');
    const link = linkIn(reset, '/reset-password?token=');
    await phonePage.goto(link);
    await phonePage.getByLabel('New password', { exact: true }).fill('a reset passphrase 2');
    await phonePage.getByRole('button', { name: 'Set new password' }).click();
    await phonePage.getByText(/Your password has been changed/).waitFor();
    // The link works once.
    await phonePage.goto(link);
    await phonePage.getByLabel('New password', { exact: true }).fill('yet another passphrase 3');
    await phonePage.getByRole('button', { name: 'Set new password' }).click();
    await phonePage.getByText('This reset link has expired or was already used.', { exact: false }).waitFor();

    // The reset signed the laptop out too; signing in again returns to the account page.
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn(page, { ...ann, password: 'a reset passphrase 2' });
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();

    // Delete the account: password and confirmation; then it cannot sign in.
    await page.getByLabel('Password', { exact: true }).fill('a reset passphrase 2');
    await page.getByRole('checkbox', { name: /will be deleted for good/ }).check();
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.getByText('Your account and its tasks have been deleted.').waitFor();
    await signIn(page, { ...ann, password: 'a reset passphrase 2' });
    await page.getByText('That email and password don’t match an account.').waitFor();

    // The refused reuse of the link (400) and the deleted account's sign-in (401) are the only errors.
    expect(errors.filter((e) => !/status of 40[01]/.test(e))).toEqual([]);
    await laptop.close();
    await phone.close();
  });
});
