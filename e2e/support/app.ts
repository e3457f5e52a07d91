import { expect } from 'vitest';
import type { Page } from 'playwright-core';

let counter = 0;

export interface Person {
  name: string;
  email: string;
  password: string;
}

export function newPerson(name: string): Person {
  counter += 1;
  return {
    name,
    email: `${name.toLowerCase()}-${counter}-${Date.now()}@example.com`,
    password: 'correct horse battery staple',
  };
}

/** Signs up through the real form and waits for the task list. */
export async function signUp(page: Page, baseURL: string, person: Person): Promise<void> {
  await page.goto(`${baseURL}/sign-up`);
  await page.getByLabel('Name').fill(person.name);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Your tasks' }).waitFor();
}

export async function signIn(page: Page, person: Person): Promise<void> {
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

export async function addTask(page: Page, title: string): Promise<void> {
  const input = page.getByLabel('New task');
  await input.fill(title);
  await input.press('Enter');
  // Wait until the server has it (the optimistic row says "Saving…" until then).
  await page.locator('.task', { hasText: title }).and(page.locator(':not(.pending)')).waitFor();
}

/** Titles in the visible list, in order. */
export async function visibleTitles(page: Page): Promise<string[]> {
  return page.locator('.task-title').allTextContents();
}

export async function expectTitles(page: Page, titles: string[]): Promise<void> {
  await expect.poll(() => visibleTitles(page), { timeout: 10_000 }).toEqual(titles);
}

/** Signs out through the account menu in the header. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Account: / }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
}

/**
 * Ticks a task's checkbox as a person does (one click) and waits until it shows ticked. Not
 * Playwright's `check()`: that reads the box once right after the click, and the box is controlled
 * by the query cache, which a loaded machine may re-render a moment later.
 */
export async function tick(page: Page, title: string, options: { exact?: boolean } = {}): Promise<void> {
  const box = page.getByRole('checkbox', { name: title, ...options });
  await box.click();
  await expect.poll(() => box.isChecked()).toBe(true);
}
