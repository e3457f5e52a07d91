/** Planning on the tasks page (issue 14, item 2) against the real router on PGlite. */
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { renderApp } from '../../test/render-app';
import { useTestApi } from '../../test/test-api';

const api = useTestApi();

async function signedIn() {
  const me = await api.addUser({ name: 'Me', email: 'me@example.com', password: 'correct horse battery' });
  api.signInAs(me);
  return { api, me };
}

describe('mark all complete', () => {
  test('ticks every task at once, optimistically, and unticking reopens them all', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Milk');
    await api.addTask(me.id, 'Bread');
    await api.addTask(me.id, 'Eggs', { completed: true });
    const { user } = renderApp(api, '/');
    const all = await screen.findByRole('checkbox', { name: 'Mark all as complete' });
    expect(all).not.toBeChecked();

    const release = api.hold();
    await user.click(all);
    // Shown before the server answers.
    expect(screen.getByRole('checkbox', { name: 'Milk' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'Bread' })).toBeChecked();
    expect(screen.getByText('0 tasks left')).toBeInTheDocument();
    release();
    await waitFor(async () => expect((await api.tasks()).every((t) => t.completed)).toBe(true));
    expect(await screen.findByText('Marked 2 tasks as completed.')).toBeInTheDocument();
    expect(screen.getByRole('checkbox', { name: 'Mark all as complete' })).toBeChecked();

    await user.click(screen.getByRole('checkbox', { name: 'Mark all as complete' }));
    await waitFor(async () => expect((await api.tasks()).some((t) => t.completed)).toBe(false));
    expect(screen.getByRole('checkbox', { name: 'Eggs' })).not.toBeChecked();
    expect(screen.getByText('3 tasks left')).toBeInTheDocument();
  });

  test('rolls back when the server refuses, and says so', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Milk');
    await api.addTask(me.id, 'Bread', { completed: true });
    const { user } = renderApp(api, '/');
    const all = await screen.findByRole('checkbox', { name: 'Mark all as complete' });
    api.failNext('setAllCompleted');
    await user.click(all);
    expect(await screen.findByRole('alert')).toHaveTextContent('Couldn’t mark all tasks as completed');
    expect(screen.getByRole('checkbox', { name: 'Milk' })).not.toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'Bread' })).toBeChecked();
    expect(screen.getByText('1 task left')).toBeInTheDocument();
    expect((await api.tasks()).map((t) => t.completed)).toEqual([false, true]);
  });

  test('the Active list empties and the Completed list fills', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Milk');
    const { user } = renderApp(api, '/?filter=active');
    await user.click(await screen.findByRole('checkbox', { name: 'Mark all as complete' }));
    expect(await screen.findByText('Nothing left to do. Enjoy!')).toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: /^Completed/ }));
    expect(await screen.findByRole('checkbox', { name: 'Milk' })).toBeChecked();
  });
});
