import { act, renderHook, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { TASK_LIST_LIMIT_DEFAULT as PAGE_SIZE } from '../../../../shared/task-rules';
import { renderApp } from '../../test/render-app';
import { useTestApi } from '../../test/test-api';
import { UNDO_MS, useUndoOffer } from './use-undo-offer';

const api = useTestApi();

async function signedIn() {
  const me = await api.addUser({ name: 'Me', email: 'me@example.com', password: 'correct horse battery' });
  api.signInAs(me);
  return { api, me };
}

const titles = () => [...document.querySelectorAll('.task-title')].map((el) => el.textContent);

/** The Undo toast: the polite status region that holds an "Undo" button. */
const toast = () => {
  const region = screen.getAllByRole('status').find((el) => el.classList.contains('undo-region'));
  if (!region) throw new Error('no undo region');
  return region;
};

describe('Undo', () => {
  test('after a delete, Undo restores the task on the server, in the list and the counts, and focuses it', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Older');
    const milk = await api.addTask(me.id, 'Buy milk', { description: 'oat' });
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('button', { name: 'Delete Buy milk' }));
    await waitFor(() => expect(within(toast()).getByText('Deleted “Buy milk”.')).toBeInTheDocument());
    await waitFor(async () => expect((await api.tasks()).map((t) => t.title)).toEqual(['Older']));
    expect(titles()).toEqual(['Older']);
    expect(screen.getByRole('link', { name: 'All 1' })).toBeInTheDocument();

    await user.click(within(toast()).getByRole('button', { name: 'Undo' }));
    expect(within(toast()).queryByRole('button', { name: 'Undo' })).not.toBeInTheDocument();
    // Back at once (optimistic), in its place, with its description.
    expect(titles()).toEqual(['Buy milk', 'Older']);
    expect(screen.getByText('oat')).toBeInTheDocument();
    await waitFor(async () =>
      expect((await api.tasks()).find((t) => t.id === milk.id)).toMatchObject({
        title: 'Buy milk',
        version: 3,
      }),
    );
    expect(api.calls).toContain('task.restore');
    expect(await screen.findByRole('link', { name: 'All 2' })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('checkbox', { name: 'Buy milk' })).toHaveFocus());
    expect(await screen.findByText('Restored “Buy milk”.')).toBeInTheDocument();
  });

  test('Undo is reachable from the keyboard and works with Enter', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Keyboard');
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('button', { name: 'Delete Keyboard' }));
    const undo = await within(toast()).findByRole('button', { name: 'Undo' });
    // Focus went to the new-task field (no task left); Tab order reaches the toast.
    await waitFor(() => expect(screen.getByLabelText('New task')).toHaveFocus());
    for (let i = 0; i < 20 && document.activeElement !== undo; i++) await user.tab();
    expect(undo).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(async () => expect((await api.tasks()).map((t) => t.title)).toEqual(['Keyboard']));
    expect(titles()).toEqual(['Keyboard']);
  });

  test('Ctrl+Z outside a text field is Undo; inside the new-task field it is the field’s own', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Shortcut');
    await api.addTask(me.id, 'Stays');
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('button', { name: 'Delete Shortcut' }));
    await within(toast()).findByRole('button', { name: 'Undo' });
    await waitFor(async () => expect(await api.tasks()).toHaveLength(1));
    await user.click(screen.getByLabelText('New task'));
    await user.keyboard('{Control>}z{/Control}');
    expect(titles()).toEqual(['Stays']);
    await user.click(screen.getByRole('heading', { name: 'Your tasks' }));
    await user.keyboard('{Control>}z{/Control}');
    expect(titles()).toEqual(['Stays', 'Shortcut']);
    await waitFor(async () => expect(await api.tasks()).toHaveLength(2));
  });

  test('clear completed is undone in one restore, loaded or not', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Done long ago', { completed: true });
    await api.addTasks(me.id, PAGE_SIZE, (i) => `Open ${i}`);
    await api.addTask(me.id, 'Done 1', { completed: true });
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('button', { name: 'Clear completed (2)' }));
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(within(toast()).getByText('Deleted 2 completed tasks.')).toBeInTheDocument());
    await waitFor(async () => expect(await api.tasks()).toHaveLength(PAGE_SIZE));

    await user.click(within(toast()).getByRole('button', { name: 'Undo' }));
    expect(screen.getByText('Done 1')).toBeInTheDocument();
    await waitFor(async () => expect(await api.tasks()).toHaveLength(PAGE_SIZE + 2));
    expect(api.calls.filter((path) => path === 'task.restore')).toHaveLength(1);
    expect(await screen.findByRole('link', { name: 'Completed 2' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: `All ${PAGE_SIZE + 2}` })).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Clear completed (2)' })).toBeInTheDocument();
  });

  test('a tick that takes the task out of the Active filter can be undone; in All it offers nothing', async () => {
    const { api, me } = await signedIn();
    const rent = await api.addTask(me.id, 'Pay rent');
    const { user } = renderApp(api, '/?filter=active');
    await user.click(await screen.findByRole('checkbox', { name: 'Pay rent' }));
    await waitFor(() =>
      expect(within(toast()).getByText('“Pay rent” marked as completed.')).toBeInTheDocument(),
    );
    expect(titles()).toEqual([]);
    await user.click(within(toast()).getByRole('button', { name: 'Undo' }));
    expect(titles()).toEqual(['Pay rent']);
    await waitFor(async () =>
      expect((await api.tasks())[0]).toMatchObject({ id: rent.id, completed: false, version: 3 }),
    );
    await waitFor(() => expect(screen.getByRole('checkbox', { name: 'Pay rent' })).toHaveFocus());

    // In All the row stays where it is: nothing to undo.
    await user.click(screen.getByRole('link', { name: /^All/ }));
    await user.click(await screen.findByRole('checkbox', { name: 'Pay rent' }));
    await waitFor(async () => expect((await api.tasks())[0]?.completed).toBe(true));
    expect(within(toast()).queryByRole('button', { name: 'Undo' })).not.toBeInTheDocument();
  });

  test('an Undo of a tick never overwrites a change made elsewhere since (versioned)', async () => {
    const { api, me } = await signedIn();
    const task = await api.addTask(me.id, 'Shared');
    const { user } = renderApp(api, '/?filter=active');
    await user.click(await screen.findByRole('checkbox', { name: 'Shared' }));
    const undo = await within(toast()).findByRole('button', { name: 'Undo' });
    await waitFor(async () => expect((await api.tasks())[0]?.version).toBe(2));
    await api.as(me).task.update({ id: task.id, title: 'Shared, renamed elsewhere' });
    await user.click(undo);
    expect(await screen.findByRole('alert')).toHaveTextContent('was changed somewhere else');
    expect((await api.tasks())[0]).toMatchObject({ title: 'Shared, renamed elsewhere', completed: true });
  });

  test('a refused restore takes the task away again and says so', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Fragile');
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('button', { name: 'Delete Fragile' }));
    const undo = await within(toast()).findByRole('button', { name: 'Undo' });
    api.failNext('restore', 'NOT_FOUND');
    await user.click(undo);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Couldn’t restore “Fragile”: it is no longer restorable.',
    );
    expect(titles()).toEqual([]);
    expect(await api.tasks()).toEqual([]);
  });

  test('a newer change replaces the offer: one toast at a time', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'First');
    await api.addTask(me.id, 'Second');
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('button', { name: 'Delete First' }));
    await within(toast()).findByText('Deleted “First”.');
    await user.click(screen.getByRole('button', { name: 'Delete Second' }));
    await within(toast()).findByText('Deleted “Second”.');
    expect(within(toast()).getAllByRole('button', { name: 'Undo' })).toHaveLength(1);
    expect(within(toast()).queryByText('Deleted “First”.')).not.toBeInTheDocument();
  });
});

describe('useUndoOffer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('expires after UNDO_MS (8 s), not while paused; Undo runs once', () => {
    vi.useFakeTimers();
    const undo = vi.fn();
    const { result } = renderHook(() => useUndoOffer());
    expect(UNDO_MS).toBe(8_000);
    act(() => result.current.show('Deleted “a”.', undo));
    act(() => vi.advanceTimersByTime(UNDO_MS - 1));
    expect(result.current.offer?.text).toBe('Deleted “a”.');
    act(() => result.current.pause());
    act(() => vi.advanceTimersByTime(60_000));
    expect(result.current.offer).not.toBeNull();
    act(() => result.current.resume());
    act(() => vi.advanceTimersByTime(UNDO_MS));
    expect(result.current.offer).toBeNull();

    act(() => result.current.show('Deleted “b”.', undo));
    act(() => result.current.take());
    act(() => result.current.take());
    expect(undo).toHaveBeenCalledTimes(1);
    expect(result.current.offer).toBeNull();
  });
});
