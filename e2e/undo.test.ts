/**
 * Issue 14 in a real browser against the real server: Undo after delete, clear completed and a
 * tick that leaves the filter survives a reload (the restore is the server's, not a delayed
 * request), a conflicting edit keeps the draft, and "Recently deleted" (D40) restores or removes
 * for good long after the toast. At a desktop and a phone viewport.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { addTask, expectTitles, newPerson, signUp, tick } from './support/app';
import { screenshot, watchPage } from './support/browser';
import { useServerAndBrowser } from './support/harness';

const harness = useServerAndBrowser();

const viewports = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/** Delete as a person does: on a phone the action sits behind "More actions". */
async function deleteTask(page: Page, title: string): Promise<void> {
  const more = page.getByRole('button', { name: `More actions for ${title}` });
  if (await more.isVisible()) await more.click();
  else await page.locator('.task', { hasText: title }).hover();
  await page.getByRole('button', { name: `Delete ${title}` }).click();
}

const undoButton = (page: Page) => page.locator('.undo-toast').getByRole('button', { name: 'Undo' });

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).include('.undo-toast').analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help}`);
}

describe.each(viewports)('Undo in Chromium ($name, $width x $height)', (viewport) => {
  test('delete, clear completed and a filtered tick are undone, and stay undone after a reload', async () => {
    const context = await harness.browser.newContext({
      viewport: { width: viewport.width, height: viewport.height },
    });
    const page = await context.newPage();
    const { errors } = watchPage(page);
    await signUp(page, harness.server.baseURL, newPerson('Undo'));
    for (const title of ['Buy milk', 'Write report', 'Call Bob']) await addTask(page, title);

    // Delete -> Undo -> reload: the task is back, from the server.
    await deleteTask(page, 'Write report');
    await expectTitles(page, ['Call Bob', 'Buy milk']);
    await page.locator('.undo-toast', { hasText: 'Deleted “Write report”.' }).waitFor();
    // The toast sits inside the viewport, its button a full touch target.
    const box = await undoButton(page).boundingBox();
    expect(box && box.y + box.height <= viewport.height && box.x >= 0 && box.height >= 44).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, `undo-toast-${viewport.name}`);
    await undoButton(page).click();
    await expectTitles(page, ['Call Bob', 'Write report', 'Buy milk']);
    await page.getByText('Restored “Write report”.').waitFor({ state: 'attached' });
    await page.reload();
    await expectTitles(page, ['Call Bob', 'Write report', 'Buy milk']);

    // Clear completed -> Undo (from the keyboard) -> reload.
    await tick(page, 'Buy milk');
    await tick(page, 'Call Bob');
    await page.getByRole('button', { name: 'Clear completed (2)' }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await expectTitles(page, ['Write report']);
    await undoButton(page).focus();
    await page.keyboard.press('Enter');
    await expectTitles(page, ['Call Bob', 'Write report', 'Buy milk']);
    await page.getByRole('link', { name: 'Completed 2' }).waitFor();
    await page.reload();
    await expectTitles(page, ['Call Bob', 'Write report', 'Buy milk']);
    expect(await page.getByRole('checkbox', { name: 'Buy milk' }).isChecked()).toBe(true);

    // A tick in Active takes the row away; Undo sets it back (and it stays after a reload).
    await page.getByRole('link', { name: /^Active/ }).click();
    await page.waitForURL(/\?filter=active$/);
    await expectTitles(page, ['Write report']);
    // Not `tick`: the row leaves this list, so it never shows ticked.
    await page.getByRole('checkbox', { name: 'Write report' }).click();
    await expectTitles(page, []);
    await page.locator('.undo-toast', { hasText: '“Write report” marked as completed.' }).waitFor();
    await undoButton(page).click();
    await expectTitles(page, ['Write report']);
    await page.reload();
    await expectTitles(page, ['Write report']);

    // Without Undo, a delete stays done.
    await deleteTask(page, 'Write report');
    await expectTitles(page, []);
    await page.reload();
    await page.getByText('Nothing left to do. Enjoy!').waitFor();

    expect(errors).toEqual([]);
    await context.close();
  });

  test('a conflicting edit keeps the draft: "Keep mine" and "Use theirs"', async () => {
    const context = await harness.browser.newContext({
      viewport: { width: viewport.width, height: viewport.height },
    });
    const page = await context.newPage();
    await signUp(page, harness.server.baseURL, newPerson('Conflict'));
    await addTask(page, 'Plan');
    await addTask(page, 'Budget');
    const other = await context.newPage();
    await other.goto(`${harness.server.baseURL}/`);
    await expectTitles(other, ['Budget', 'Plan']);

    /** Opens the editor here, saves a rename in the other tab, then saves `draft` here. */
    async function conflict(title: string, theirs: string, draft: string) {
      const more = page.getByRole('button', { name: `More actions for ${title}` });
      if (await more.isVisible()) await more.click();
      await page.getByRole('button', { name: `Edit ${title}` }).click();
      const otherMore = other.getByRole('button', { name: `More actions for ${title}` });
      if (await otherMore.isVisible()) await otherMore.click();
      await other.getByRole('button', { name: `Edit ${title}` }).click();
      await other.getByLabel('Title', { exact: true }).fill(theirs);
      await other.getByLabel('Title', { exact: true }).press('Enter');
      await other.locator('.task:not(.pending)', { hasText: theirs }).waitFor();
      await page.getByLabel('Title', { exact: true }).fill(draft);
      await page.getByLabel('Title', { exact: true }).press('Enter');
      await page.getByText(`It now reads “${theirs}”`).waitFor();
      expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe(draft);
    }

    await conflict('Plan', 'Plan (theirs)', 'Plan (mine)');
    await screenshot(page, `edit-conflict-${viewport.name}`);
    await page.getByRole('button', { name: 'Keep mine' }).click();
    await expectTitles(page, ['Budget', 'Plan (mine)']);
    await page.reload();
    await expectTitles(page, ['Budget', 'Plan (mine)']);

    await other.reload();
    await expectTitles(other, ['Budget', 'Plan (mine)']);
    await conflict('Budget', 'Budget (theirs)', 'Budget (mine)');
    await page.getByRole('button', { name: 'Use theirs' }).click();
    await expectTitles(page, ['Budget (theirs)', 'Plan (mine)']);
    await page.reload();
    await expectTitles(page, ['Budget (theirs)', 'Plan (mine)']);
    await context.close();
  });

  test('Recently deleted: restore after the toast is gone (it stays after a reload), or delete for good', async () => {
    const context = await harness.browser.newContext({
      viewport: { width: viewport.width, height: viewport.height },
    });
    const page = await context.newPage();
    const { errors } = watchPage(page);
    await signUp(page, harness.server.baseURL, newPerson('Trash'));
    for (const title of ['Old idea', 'Tax papers', 'Keep me']) await addTask(page, title);
    await deleteTask(page, 'Old idea');
    await deleteTask(page, 'Tax papers');
    await expectTitles(page, ['Keep me']);

    await page.getByRole('link', { name: 'Recently deleted' }).click();
    await page.waitForURL(/\/deleted$/);
    const deleted = page.locator('.deleted-title');
    await page.getByRole('button', { name: 'Restore Old idea' }).waitFor();
    expect(await deleted.allTextContents()).toEqual(['Tax papers', 'Old idea']);
    await page.getByText(/Deleted tasks stay here for 7 days/).waitFor();
    const restore = await page.getByRole('button', { name: 'Restore Old idea' }).boundingBox();
    expect(restore && restore.height >= 44 && restore.x + restore.width <= viewport.width).toBe(true);
    const axe = await new AxeBuilder({ page }).analyze();
    expect(
      axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id),
    ).toEqual([]);
    await screenshot(page, `recently-deleted-${viewport.name}`);

    await page.getByRole('button', { name: 'Restore Old idea' }).click();
    await page.getByText('Restored “Old idea” to your list.').waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Delete Tax papers for good' }).click();
    await page.getByRole('button', { name: 'Delete for good', exact: true }).click();
    await page.getByText('Deleted “Tax papers” for good.').waitFor({ state: 'attached' });
    await page.getByText(/Nothing here/).waitFor();
    await page.reload();
    await page.getByText(/Nothing here/).waitFor();

    await page.getByRole('link', { name: 'your list' }).click();
    await expectTitles(page, ['Keep me', 'Old idea']);
    await page.reload();
    await expectTitles(page, ['Keep me', 'Old idea']);
    expect(errors).toEqual([]);
    await context.close();
  });
});
