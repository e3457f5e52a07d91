import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';
import { renderApp } from '../../test/render-app';
import { useTestApi } from '../../test/test-api';

const api = useTestApi();

async function signedIn() {
  const me = await api.addUser({ name: 'Me', email: 'me@example.com', password: 'correct horse battery' });
  api.signInAs(me);
  return { api, me };
}

describe('task rows and their words', () => {
  test('the tick target wraps the checkbox: a tap anywhere on it ticks the task', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Water plants');
    const { user } = renderApp(api, '/');
    const checkbox = await screen.findByRole('checkbox', { name: 'Water plants' });
    const target = checkbox.closest('label');
    expect(target).toHaveClass('task-check');
    await user.click(target as HTMLElement);
    expect(checkbox).toBeChecked();
    await waitFor(async () => expect((await api.tasks())[0]?.completed).toBe(true));
  });

  test('the row actions button opens Edit and Delete, and Escape closes it back onto the button', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Call mum');
    const { user } = renderApp(api, '/');
    const more = await screen.findByRole('button', { name: 'More actions for Call mum' });
    expect(more).toHaveAttribute('aria-expanded', 'false');
    expect(more).toHaveAttribute(
      'aria-controls',
      screen.getByRole('button', { name: 'Edit Call mum' }).parentElement?.id,
    );
    await user.click(more);
    expect(more).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByRole('button', { name: 'Edit Call mum' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(more).toHaveAttribute('aria-expanded', 'false');
    expect(more).toHaveFocus();
    // Delete from the open menu closes it and deletes.
    await user.click(more);
    await user.click(screen.getByRole('button', { name: 'Delete Call mum' }));
    expect(await screen.findByText('No tasks yet. Add your first one above.')).toBeInTheDocument();
  });

  test('an empty account shows the invitation, not filters at zero and "0 tasks left"', async () => {
    const { api } = await signedIn();
    const { user } = renderApp(api, '/');
    await screen.findByText('No tasks yet. Add your first one above.');
    expect(screen.queryByRole('navigation', { name: 'Filter tasks' })).not.toBeInTheDocument();
    expect(screen.queryByText(/tasks? left/)).not.toBeInTheDocument();
    await user.type(screen.getByLabelText('New task'), 'First{Enter}');
    expect(await screen.findByText('1 task left')).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Filter tasks' })).toBeInTheDocument();
  });

  test('Escape closes the clear-completed prompt and returns focus to its button', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Done', { completed: true });
    const { user } = renderApp(api, '/');
    const clear = await screen.findByRole('button', { name: 'Clear completed (1)' });
    await user.click(clear);
    const prompt = screen.getByRole('group', { name: 'Confirm clearing completed tasks' });
    expect(within(prompt).getByRole('button', { name: 'Delete' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('group', { name: 'Confirm clearing completed tasks' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Clear completed (1)' })).toHaveFocus();
    expect(await api.tasks()).toHaveLength(1);
  });

  test('the description field can be removed again, and what was typed in it is not sent', async () => {
    const { api } = await signedIn();
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('button', { name: 'Add a description' }));
    await user.type(screen.getByLabelText('Description (optional)'), 'Second thoughts');
    await user.click(screen.getByRole('button', { name: 'Remove description' }));
    expect(screen.queryByLabelText('Description (optional)')).not.toBeInTheDocument();
    expect(screen.getByLabelText('New task')).toHaveFocus();
    await user.keyboard('Plain{Enter}');
    await waitFor(async () =>
      expect((await api.tasks())[0]).toMatchObject({ title: 'Plain', description: null }),
    );
  });

  test('"deleted elsewhere" is information (a status, not an alert)', async () => {
    const { api, me } = await signedIn();
    const task = await api.addTask(me.id, 'Gone soon');
    const { user } = renderApp(api, '/');
    await screen.findByText('Gone soon');
    await api.as(me).task.delete({ id: task.id });
    await user.click(screen.getByRole('checkbox', { name: 'Gone soon' }));
    const notice = await screen.findByText(/“Gone soon” no longer exists/);
    expect(notice.closest('[role]')).toHaveAttribute('role', 'status');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  test('a busy server (503) is a sentence that says to wait, and the raw code goes to the console', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Pay rent');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { user } = renderApp(api, '/');
    api.failNext('update', 'SERVICE_UNAVAILABLE');
    await user.click(await screen.findByRole('checkbox', { name: 'Pay rent' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The server is too busy to update “Pay rent” right now. Your change was undone; try again in a moment.',
    );
    expect(warn).toHaveBeenCalledWith('[tasks] update refused: SERVICE_UNAVAILABLE');
    expect(warn.mock.calls.flat().join(' ')).not.toContain('Pay rent');
    warn.mockRestore();
  });
});
