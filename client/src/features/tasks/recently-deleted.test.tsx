import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { renderApp } from '../../test/render-app';
import { useTestApi } from '../../test/test-api';

const api = useTestApi();

async function signedIn() {
  const me = await api.addUser({ name: 'Me', email: 'me@example.com', password: 'correct horse battery' });
  api.signInAs(me);
  return { me, caller: api.as(me) };
}

const deletedTitles = () => [...document.querySelectorAll('.deleted-title')].map((el) => el.textContent);

describe('Recently deleted', () => {
  test('lists deleted tasks last deleted first, with when they go for good; Restore puts one back in the list', async () => {
    const { me, caller } = await signedIn();
    const milk = await api.addTask(me.id, 'Buy milk');
    const bread = await api.addTask(me.id, 'Buy bread');
    await api.addTask(me.id, 'Still here');
    await caller.task.delete({ id: milk.id });
    await caller.task.delete({ id: bread.id });

    const { user } = renderApp(api, '/deleted');
    expect(await screen.findByRole('heading', { name: 'Recently deleted' })).toBeInTheDocument();
    await waitFor(() => expect(deletedTitles()).toEqual(['Buy bread', 'Buy milk']));
    expect(screen.getByText(/Deleted tasks stay here for 7 days/)).toBeInTheDocument();
    const row = screen.getByText('Buy milk').closest('li');
    if (!row) throw new Error('no row');
    expect(within(row).getByText(/Deleted just now · removed for good on/)).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Restore Buy milk' }));
    await waitFor(() => expect(deletedTitles()).toEqual(['Buy bread']));
    expect(await screen.findByText('Restored “Buy milk” to your list.')).toBeInTheDocument();
    expect((await api.tasks()).map((t) => t.title)).toEqual(['Buy milk', 'Still here']);

    await user.click(screen.getByRole('link', { name: 'your list' }));
    await waitFor(() =>
      expect([...document.querySelectorAll('.task-title')].map((el) => el.textContent)).toEqual([
        'Still here',
        'Buy milk',
      ]),
    );
  });

  test('Delete for good asks first (Escape cancels and returns focus), then removes the task for good', async () => {
    const { me, caller } = await signedIn();
    const secret = await api.addTask(me.id, 'Secret plan');
    await caller.task.delete({ id: secret.id });
    const { user } = renderApp(api, '/deleted');
    const open = await screen.findByRole('button', { name: 'Delete Secret plan for good' });

    await user.click(open);
    const confirm = screen.getByRole('group', { name: 'Confirm deleting Secret plan for good' });
    expect(within(confirm).getByRole('button', { name: 'Delete for good' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('group', { name: /Confirm deleting/ })).not.toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Delete Secret plan for good' })).toHaveFocus(),
    );
    expect(api.calls).not.toContain('task.deleteForever');

    await user.click(screen.getByRole('button', { name: 'Delete Secret plan for good' }));
    await user.click(screen.getByRole('button', { name: 'Delete for good' }));
    expect(await screen.findByText('Deleted “Secret plan” for good.')).toBeInTheDocument();
    await waitFor(() => expect(deletedTitles()).toEqual([]));
    expect(screen.getByText(/Nothing here/)).toBeInTheDocument();
    expect(await caller.task.listDeleted()).toEqual({ items: [], nextCursor: null });
    await expect(caller.task.restore({ ids: [secret.id] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('Empty recently deleted removes every deleted task for good, after asking', async () => {
    const { me, caller } = await signedIn();
    for (const title of ['One', 'Two', 'Three']) {
      const task = await api.addTask(me.id, title);
      await caller.task.delete({ id: task.id });
    }
    const { user } = renderApp(api, '/deleted');
    await waitFor(() => expect(deletedTitles()).toHaveLength(3));
    await user.click(screen.getByRole('button', { name: 'Empty recently deleted' }));
    await user.click(screen.getByRole('button', { name: 'Delete all for good' }));
    expect(await screen.findByText('Deleted 3 tasks for good.')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByText(/Nothing here/)).toBeInTheDocument());
    expect((await caller.task.listDeleted()).items).toEqual([]);
  });

  test('a task restored elsewhere meanwhile is explained, not an error code, and leaves the page', async () => {
    const { me, caller } = await signedIn();
    const task = await api.addTask(me.id, 'Contested');
    await caller.task.delete({ id: task.id });
    const { user } = renderApp(api, '/deleted');
    await screen.findByRole('button', { name: 'Restore Contested' });
    // Another device restores it, then this one asks to delete it for good.
    await caller.task.restore({ ids: [task.id] });
    await user.click(screen.getByRole('button', { name: 'Delete Contested for good' }));
    await user.click(screen.getByRole('button', { name: 'Delete for good' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      '“Contested” is no longer here: it was restored or removed on another device, or its time ran out.',
    );
    await waitFor(() => expect(deletedTitles()).toEqual([]));
    // Restored, not lost.
    expect((await api.tasks()).map((t) => t.title)).toEqual(['Contested']);
  });

  test('pages with Load more', async () => {
    const { me, caller } = await signedIn();
    await api.addTasks(
      me.id,
      51,
      (i) => `Done ${i}`,
      () => true,
    );
    await caller.task.clearCompleted();
    const { user } = renderApp(api, '/deleted');
    await waitFor(() => expect(deletedTitles()).toHaveLength(50));
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(deletedTitles()).toHaveLength(51));
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  test('the task page and the account menu link to it', async () => {
    await signedIn();
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('link', { name: 'Recently deleted' }));
    expect(await screen.findByRole('heading', { name: 'Recently deleted' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: /^Account:/ }));
    expect(screen.getByRole('link', { name: 'Recently deleted' })).toHaveAttribute('href', '/deleted');
  });
});
