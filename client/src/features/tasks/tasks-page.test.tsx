import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { TASK_LIST_LIMIT_DEFAULT as PAGE_SIZE } from '../../../../shared/task-rules';
import { renderApp } from '../../test/render-app';
import { useTestApi } from '../../test/test-api';

const api = useTestApi();

async function signedIn() {
  const me = await api.addUser({ name: 'Me', email: 'me@example.com', password: 'correct horse battery' });
  api.signInAs(me);
  return { api, me };
}

const titles = () => [...document.querySelectorAll('.task-title')].map((el) => el.textContent);

describe('task list', () => {
  test('renders titles and descriptions as text, never as HTML', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, '<img src=x onerror="alert(1)">', { description: '<script>alert(2)</script>' });
    const { container } = renderApp(api, '/');
    expect(await screen.findByText('<img src=x onerror="alert(1)">')).toBeInTheDocument();
    expect(screen.getByText('<script>alert(2)</script>')).toBeInTheDocument();
    expect(container.querySelector('img[src="x"]')).toBeNull();
    expect(container.querySelector('main script')).toBeNull();
  });

  test('adds with Enter, optimistically, and keeps focus in the field', async () => {
    const { api } = await signedIn();
    const { user } = renderApp(api, '/');
    const field = await screen.findByLabelText('New task');
    await screen.findByText('No tasks yet. Add your first one above.');
    const release = api.hold();
    await user.type(field, 'Water the plants{Enter}');
    // Shown before the server answers, marked as saving.
    expect(await screen.findByText('Water the plants')).toBeInTheDocument();
    expect(screen.getByText('Saving…')).toBeInTheDocument();
    expect(field).toHaveValue('');
    expect(field).toHaveFocus();
    release();
    await waitFor(() => expect(screen.queryByText('Saving…')).not.toBeInTheDocument());
    expect((await api.tasks()).map((t) => t.title)).toEqual(['Water the plants']);
    expect(screen.getByRole('link', { name: 'All 1' })).toBeInTheDocument();
  });

  test('adds a description, and refuses a blank title with the shared rule', async () => {
    const { api } = await signedIn();
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('button', { name: 'Add a description' }));
    await user.type(screen.getByLabelText('Description (optional)'), 'from the corner shop');
    await user.click(screen.getByRole('button', { name: 'Add' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Title is required');
    await user.type(screen.getByLabelText('New task'), 'Milk{Enter}');
    expect(await screen.findByText('from the corner shop')).toBeInTheDocument();
    await waitFor(async () => expect((await api.tasks())[0]?.description).toBe('from the corner shop'));
  });

  test('rolls back a refused toggle and says so; the message can be dismissed', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Pay rent');
    const { user } = renderApp(api, '/');
    const box = await screen.findByRole('checkbox', { name: 'Pay rent' });
    api.failNext('update');
    await user.click(box);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Couldn’t update “Pay rent”. Your change was undone');
    expect(screen.getByRole('checkbox', { name: 'Pay rent' })).not.toBeChecked();
    expect((await api.tasks())[0]?.completed).toBe(false);
    await user.click(within(alert).getByRole('button', { name: 'Dismiss message' }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  test('an add whose answer was lost is sent again with its key: one task, no error', async () => {
    const { api, me } = await signedIn();
    const { user } = renderApp(api, '/');
    await screen.findByText('No tasks yet. Add your first one above.');
    api.loseNextAnswer('task.create');
    await user.type(screen.getByLabelText('New task'), 'Sent twice, stored once{Enter}');
    await waitFor(() => expect(screen.queryByText('Saving…')).not.toBeInTheDocument());
    expect(titles()).toEqual(['Sent twice, stored once']);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    const stored = await api.as(me).task.list();
    expect(stored.items.map((t) => t.title)).toEqual(['Sent twice, stored once']);
    expect(api.calls.filter((c) => c === 'task.create')).toHaveLength(2);
  });

  test('rolls back a refused add and gives the text back', async () => {
    const { api } = await signedIn();
    const { user } = renderApp(api, '/');
    await screen.findByText('No tasks yet. Add your first one above.');
    api.failNext('create', 'TOO_MANY_REQUESTS');
    await user.type(screen.getByLabelText('New task'), 'Too fast{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many changes at once');
    expect(screen.queryByText('Too fast', { selector: '.task-title' })).not.toBeInTheDocument();
    expect(screen.getByLabelText('New task')).toHaveValue('Too fast');
  });

  test('edits in place: Enter saves, Escape cancels, focus returns to Edit', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Draft');
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('button', { name: 'Edit Draft' }));
    const title = screen.getByLabelText('Title');
    expect(title).toHaveFocus();
    await user.clear(title);
    await user.type(title, 'Final{Escape}');
    expect(screen.getByText('Draft')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Edit Draft' })).toHaveFocus();

    await user.keyboard('{Enter}');
    await user.clear(screen.getByLabelText('Title'));
    const release = api.hold();
    await user.type(screen.getByLabelText('Title'), 'Final{Enter}');
    expect(await screen.findByText('Final')).toBeInTheDocument();
    // In flight (read from the mutation cache): marked busy until the server answers.
    expect(screen.getByText('Final').closest('li')).toHaveAttribute('aria-busy', 'true');
    release();
    await waitFor(async () => expect((await api.tasks())[0]?.title).toBe('Final'));
    await waitFor(() => expect(screen.getByText('Final').closest('li')).not.toHaveAttribute('aria-busy'));
    expect(screen.getByRole('button', { name: 'Edit Final' })).toHaveFocus();
  });

  test('leaving the editor saves, like Enter', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Before');
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('button', { name: 'Edit Before' }));
    await user.clear(screen.getByLabelText('Title'));
    await user.type(screen.getByLabelText('Title'), 'After');
    await user.click(screen.getByLabelText('Description'));
    // Moving within the editor does not save yet.
    expect((await api.tasks())[0]?.title).toBe('Before');
    await user.type(screen.getByLabelText('Description'), 'details');
    await user.click(screen.getByRole('heading', { name: 'Your tasks' }));
    await waitFor(async () =>
      expect((await api.tasks())[0]).toMatchObject({ title: 'After', description: 'details' }),
    );
    expect(screen.getByText('After')).toBeInTheDocument();
  });

  /** Ann edits "Shared plan" while another tab renames it; her save meets a CONFLICT. */
  async function conflictingEdit() {
    const { api, me } = await signedIn();
    const task = await api.addTask(me.id, 'Shared plan');
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('button', { name: 'Edit Shared plan' }));
    expect(await api.as(me).task.update({ id: task.id, title: 'Plan B (other tab)' })).toMatchObject({
      version: 2,
    });
    await user.clear(screen.getByLabelText('Title'));
    await user.type(screen.getByLabelText('Title'), 'My plan{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'This task was changed somewhere else while you edited it. It now reads “Plan B (other tab)”. Your text is kept above.',
    );
    // The draft is still in the editor, and the choice has focus.
    expect(screen.getByLabelText('Title')).toHaveValue('My plan');
    expect(screen.getByRole('button', { name: 'Keep mine' })).toHaveFocus();
    return { api, user, task };
  }

  test('a CONFLICT keeps the draft; "Keep mine" saves it on the latest version', async () => {
    const { api, user } = await conflictingEdit();
    // Clicking elsewhere does not decide for the person.
    await user.click(screen.getByRole('heading', { name: 'Your tasks' }));
    expect(screen.getByLabelText('Title')).toHaveValue('My plan');
    await user.click(screen.getByRole('button', { name: 'Keep mine' }));
    await waitFor(async () => expect((await api.tasks())[0]).toMatchObject({ title: 'My plan', version: 3 }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Title')).not.toBeInTheDocument();
    expect(titles()).toEqual(['My plan']);
  });

  test('a CONFLICT keeps the draft; "Use theirs" drops it and shows the latest version', async () => {
    const { api, user } = await conflictingEdit();
    await user.click(screen.getByRole('button', { name: 'Use theirs' }));
    expect(screen.queryByLabelText('Title')).not.toBeInTheDocument();
    expect(titles()).toEqual(['Plan B (other tab)']);
    expect(screen.getByRole('button', { name: 'Edit Plan B (other tab)' })).toHaveFocus();
    expect((await api.tasks())[0]).toMatchObject({ title: 'Plan B (other tab)', version: 2 });
  });

  test('deleting a task already deleted elsewhere is explained, and focus moves on', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Older');
    const gone = await api.addTask(me.id, 'Newer');
    const { user } = renderApp(api, '/');
    await screen.findByText('Newer');
    await api.as(me).task.delete({ id: gone.id });
    await user.click(screen.getByRole('button', { name: 'Delete Newer' }));
    expect(await screen.findByText('“Newer” had already been deleted somewhere else.')).toBeInTheDocument();
    expect(screen.queryByText('Newer', { selector: '.task-title' })).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('checkbox', { name: 'Older' })).toHaveFocus());
  });

  test('a toggle on a task that is gone removes it and explains why', async () => {
    const { api, me } = await signedIn();
    const task = await api.addTask(me.id, 'Vanishing');
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('checkbox', { name: 'Vanishing' }));
    await waitFor(async () => expect((await api.tasks())[0]?.completed).toBe(true));
    // It now belongs to someone else (as if this list were stale from another account).
    const other = await api.addUser({
      name: 'Other',
      email: 'other@example.com',
      password: 'another password',
    });
    await api.giveTask(task.id, other.id);
    await user.click(screen.getByRole('checkbox', { name: 'Vanishing' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('belongs to another account');
    expect(screen.queryByRole('checkbox', { name: 'Vanishing' })).not.toBeInTheDocument();
  });

  test('filters live in the URL and counts follow changes', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'One');
    await api.addTask(me.id, 'Two', { completed: true });
    await api.addTask(me.id, 'Three');
    const { user } = renderApp(api, '/?filter=active');
    await screen.findByText('Three');
    expect(titles()).toEqual(['Three', 'One']);
    expect(screen.getByRole('link', { name: 'Active 2' })).toHaveAttribute('aria-current', 'page');
    expect(screen.getByRole('link', { name: 'All 3' })).toBeInTheDocument();
    await user.click(screen.getByRole('checkbox', { name: 'One' }));
    // Completed tasks leave the Active view at once.
    await waitFor(() => expect(titles()).toEqual(['Three']));
    expect(await screen.findByRole('link', { name: 'Completed 2' })).toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: 'Completed 2' }));
    expect(screen.getByTestId('location')).toHaveTextContent('/?filter=completed');
    await waitFor(() => expect(titles()).toEqual(['Two', 'One']));
  });

  test('counts are exact past one page, and move with a change before the server answers', async () => {
    const { api, me } = await signedIn();
    await api.addTasks(
      me.id,
      120,
      (i) => `Task ${i}`,
      (i) => i <= 7,
    );
    const { user } = renderApp(api, '/?filter=active');
    expect(await screen.findByRole('link', { name: 'All 120' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Active 113' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Completed 7' })).toBeInTheDocument();
    expect(screen.getByText('113 tasks left')).toBeInTheDocument();
    expect(api.calls.filter((path) => path === 'task.list')).toHaveLength(1);

    const release = api.hold();
    await user.click(screen.getByRole('checkbox', { name: 'Task 120' }));
    expect(screen.getByRole('link', { name: 'Active 112' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Completed 8' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Delete Task 119' }));
    expect(screen.getByRole('link', { name: 'All 119' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Active 111' })).toBeInTheDocument();
    release();
    await waitFor(async () => expect(await api.tasks()).toHaveLength(119));
    expect(await screen.findByText('111 tasks left')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Completed 8' })).toBeInTheDocument();
  });

  test('a refused change puts the counts back too', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Stays open');
    await api.addTask(me.id, 'Stays');
    const { user } = renderApp(api, '/');
    expect(await screen.findByRole('link', { name: 'Active 2' })).toBeInTheDocument();
    api.failNext('update');
    await user.click(screen.getByRole('checkbox', { name: 'Stays open' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Couldn’t update “Stays open”');
    expect(screen.getByRole('link', { name: 'Active 2' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Completed 0' })).toBeInTheDocument();

    api.failNext('remove');
    await user.click(screen.getByRole('button', { name: 'Delete Stays' }));
    await waitFor(() => expect(screen.getAllByRole('alert')).toHaveLength(2));
    expect(screen.getByRole('link', { name: 'All 2' })).toBeInTheDocument();
    expect(titles()).toEqual(['Stays', 'Stays open']);
  });

  test('clear completed deletes every completed task, loaded or not, in one call', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Done long ago', { completed: true });
    await api.addTasks(me.id, PAGE_SIZE, (i) => `Open ${i}`);
    await api.addTask(me.id, 'Done 1', { completed: true });
    await api.addTask(me.id, 'Done 2', { completed: true });
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('button', { name: 'Clear completed (3)' }));
    const release = api.hold();
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    // Gone at once, before the server answers.
    expect(screen.queryByText('Done 1')).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Completed 0' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: `All ${PAGE_SIZE}` })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Clear completed/ })).not.toBeInTheDocument();
    release();
    await waitFor(async () => expect(await api.tasks()).toHaveLength(PAGE_SIZE));
    expect((await api.tasks()).every((t) => !t.completed)).toBe(true);
    expect(api.calls.filter((path) => path === 'task.clearCompleted')).toHaveLength(1);
    expect(api.calls).not.toContain('task.delete');
    expect(await screen.findByText('Deleted 3 completed tasks.')).toBeInTheDocument();
  });

  test('a refused clear puts the completed tasks and counts back and says so', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Keep');
    await api.addTask(me.id, 'Done', { completed: true });
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('button', { name: 'Clear completed (1)' }));
    api.failNext('removeCompleted');
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Couldn’t clear completed tasks. They were put back; please try again.',
    );
    expect(titles()).toEqual(['Done', 'Keep']);
    expect(screen.getByRole('link', { name: 'Completed 1' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'All 2' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Clear completed (1)' })).toBeInTheDocument();
    expect(await api.tasks()).toHaveLength(2);
  });

  test('loads more over the cursor', async () => {
    const { api, me } = await signedIn();
    await api.addTasks(me.id, PAGE_SIZE + 3, (i) => `Task ${i}`);
    const { user } = renderApp(api, '/');
    await screen.findByText(`Task ${PAGE_SIZE + 3}`);
    expect(titles()).toHaveLength(PAGE_SIZE);
    await user.click(screen.getByRole('button', { name: 'Load more tasks' }));
    await waitFor(() => expect(titles()).toHaveLength(PAGE_SIZE + 3));
    expect(screen.queryByRole('button', { name: 'Load more tasks' })).not.toBeInTheDocument();
  });

  test('an expired token is renewed and the call retried, unseen', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Still here');
    const { user } = renderApp(api, '/');
    await screen.findByText('Still here');
    api.expireTokens();
    await user.type(screen.getByLabelText('New task'), 'After expiry{Enter}');
    await waitFor(async () => expect((await api.tasks()).map((t) => t.title)).toContain('After expiry'));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  test('when the session is gone, goes to sign-in saying so, and comes back after', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Mine');
    const { user } = renderApp(api, '/?filter=active');
    await screen.findByText('Mine');
    api.expireTokens();
    api.signInAs(null);
    await user.click(screen.getByRole('checkbox', { name: 'Mine' }));
    expect(await screen.findByText(/Your session has ended/)).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/sign-in?next=%2F%3Ffilter%3Dactive');
    expect(screen.queryByText('Mine')).not.toBeInTheDocument();
    await user.type(screen.getByLabelText('Email'), me.email);
    await user.type(screen.getByLabelText('Password'), me.password);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/\?filter=active$/));
    expect(await screen.findByText('Mine')).toBeInTheDocument();
  });

  test('sign-out forgets the token and the cached tasks', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Private');
    const { user, services } = renderApp(api, '/');
    await screen.findByText('Private');
    // The account lives in a header menu: closed, it hides Sign out; open, it says who is signed in.
    expect(screen.queryByRole('button', { name: 'Sign out' })).not.toBeInTheDocument();
    const account = screen.getByRole('button', { name: 'Account: me@example.com' });
    await user.click(account);
    expect(account).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByText('me@example.com', { selector: 'strong' })).toBeVisible();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('button', { name: 'Sign out' })).not.toBeInTheDocument();
    expect(account).toHaveFocus();
    await user.click(account);
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(services.queryClient.getQueryCache().getAll()).toHaveLength(0);
    expect(await services.session.getToken()).toBeNull();
  });
});
