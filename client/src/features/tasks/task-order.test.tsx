/**
 * Manual order on the tasks page (issue 14, item 2 part 4; D37) against the real router on PGlite:
 * keyboard moves, what the server keeps, a stale move, a refused move, and the lists that do not
 * offer reordering. Pointer drags need layout, so Chromium covers them (e2e/task-order.test.ts).
 */
import { QueryClient, type InfiniteData } from '@tanstack/react-query';
import { getQueryKey } from '@trpc/react-query';
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { trpc, type RouterOutputs, type Task } from '../../lib/trpc';
import { renderApp } from '../../test/render-app';
import { useTestApi, type TestUser } from '../../test/test-api';
import { applyTaskChange } from './task-cache';

const api = useTestApi();

const titles = () => [...document.querySelectorAll('.task-title')].map((el) => el.textContent);

/** The order the server keeps, as a fresh load would show it. */
const serverOrder = async (me: TestUser) => (await api.as(me).task.list({})).items.map((t) => t.title);

/** Signs in with tasks that list as `names`, top to bottom. */
async function signedInWith(names: string[]) {
  const me = await api.addUser({ name: 'Me', email: 'me@example.com', password: 'correct horse battery' });
  api.signInAs(me);
  for (const name of [...names].reverse()) await api.addTask(me.id, name);
  return me;
}

describe('manual order', () => {
  test('Alt+Down and Alt+Up move the focused task at once, keep focus, say where, and the server keeps it', async () => {
    const me = await signedInWith(['First', 'Second', 'Third']);
    const { user } = renderApp(api, '/');
    // The rows once the reorderable list is in (the first rows may be the plain list's).
    await screen.findByRole('button', { name: 'Move First' });
    const first = screen.getByRole('checkbox', { name: 'First' });
    first.focus();
    const release = api.hold();
    await user.keyboard('{Alt>}{ArrowDown}{/Alt}');
    expect(screen.getByText('Moved “First” to position 2 of 3.')).toBeInTheDocument();
    // Shown before the server answers.
    await waitFor(() => expect(titles()).toEqual(['Second', 'First', 'Third']));
    release();
    await waitFor(async () => expect(await serverOrder(me)).toEqual(['Second', 'First', 'Third']));
    await waitFor(() => expect(first).toHaveFocus());

    await user.keyboard('{Alt>}{ArrowDown}{/Alt}');
    await waitFor(async () => expect(await serverOrder(me)).toEqual(['Second', 'Third', 'First']));
    await user.keyboard('{Alt>}{ArrowDown}{/Alt}');
    expect(await screen.findByText('“First” is already at the bottom.')).toBeInTheDocument();
    await user.keyboard('{Alt>}{ArrowUp}{/Alt}{Alt>}{ArrowUp}{/Alt}');
    await waitFor(async () => expect(await serverOrder(me)).toEqual(['First', 'Second', 'Third']));
    expect(titles()).toEqual(['First', 'Second', 'Third']);
  });

  test('every row of All, Active and Completed has a Move handle, with a 44 px target and instructions', async () => {
    await signedInWith(['Milk', 'Bread']);
    renderApp(api, '/?filter=active');
    const handle = await screen.findByRole('button', { name: 'Move Milk' });
    expect(handle).toHaveClass('task-drag-handle');
    expect(handle).toHaveAttribute('aria-roledescription', 'sortable');
    const described = document.getElementById(handle.getAttribute('aria-describedby') ?? '');
    expect(described).toHaveTextContent('press Space or Enter on its Move button');
    expect(screen.getByRole('button', { name: 'Move Bread' })).toBeInTheDocument();
  });

  test('the due views and a search offer no reordering', async () => {
    const me = await signedInWith(['Milk', 'Bread']);
    await api.as(me).task.update({ id: (await api.tasks())[0]!.id, dueOn: '2000-01-01' });
    const { user } = renderApp(api, '/?filter=today');
    await screen.findByRole('checkbox', { name: /Bread|Milk/ });
    expect(screen.queryByRole('button', { name: /^Move / })).not.toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: /^All/ }));
    await screen.findByRole('button', { name: 'Move Milk' });
    await user.type(screen.getByRole('searchbox'), 'mil');
    await waitFor(() => expect(titles()).toEqual(['Milk']));
    expect(screen.queryByRole('button', { name: /^Move / })).not.toBeInTheDocument();
  });

  test('a move made stale by another device is refused: the latest order shows and it says so', async () => {
    const me = await signedInWith(['First', 'Second', 'Third']);
    const { user } = renderApp(api, '/');
    await screen.findByRole('button', { name: 'Move First' });
    const first = screen.getByRole('checkbox', { name: 'First' });
    // Elsewhere, Third goes to the top; this tab still shows the old order.
    const third = (await api.as(me).task.list({})).items[2]!;
    await api.as(me).task.move({ id: third.id, after: null });
    first.focus();
    await user.keyboard('{Alt>}{ArrowDown}{/Alt}');
    expect(
      await screen.findByText(/“First” wasn’t moved: the list changed somewhere else/),
    ).toBeInTheDocument();
    await waitFor(() => expect(titles()).toEqual(['Third', 'First', 'Second']));
    expect(await serverOrder(me)).toEqual(['Third', 'First', 'Second']);
  });

  test('a refused move puts the task back and says why', async () => {
    const me = await signedInWith(['First', 'Second']);
    const { user } = renderApp(api, '/');
    await screen.findByRole('button', { name: 'Move Second' });
    const second = screen.getByRole('checkbox', { name: 'Second' });
    api.failNext('move');
    second.focus();
    await user.keyboard('{Alt>}{ArrowUp}{/Alt}');
    expect(await screen.findByRole('alert')).toHaveTextContent('Couldn’t move “Second”');
    expect(titles()).toEqual(['First', 'Second']);
    expect(await serverOrder(me)).toEqual(['First', 'Second']);
  });

  test('a new task goes on top, and stays there after a reload', async () => {
    const me = await signedInWith(['Old']);
    const { user } = renderApp(api, '/');
    await screen.findByRole('checkbox', { name: 'Old' });
    await user.type(screen.getByLabelText('New task'), 'New{Enter}');
    await waitFor(async () => expect(await serverOrder(me)).toEqual(['New', 'Old']));
    expect(titles()).toEqual(['New', 'Old']);
  });
});

describe('a move from another tab (live update)', () => {
  type Page = RouterOutputs['task']['list'];
  const task = (id: string, position: string): Task => ({
    id,
    userId: 'u',
    title: id,
    description: null,
    completed: false,
    version: 3,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    dueOn: null,
    position,
  });

  test('an `updated` event with the same version and a new position reorders the list', () => {
    const client = new QueryClient();
    const key = getQueryKey(trpc.task.list, { status: 'all' }, 'infinite');
    const data: InfiniteData<Page> = {
      pages: [{ items: [task('a', 'a0'), task('b', 'a1'), task('c', 'a2')], nextCursor: null }],
      pageParams: [null],
    };
    client.setQueryData(key, data);
    const order = () => client.getQueryData<InfiniteData<Page>>(key)?.pages[0]?.items.map((t) => t.id);
    expect(applyTaskChange(client, { type: 'updated', task: task('c', 'Zz') })).toBe(true);
    expect(order()).toEqual(['c', 'a', 'b']);
    // The same event again (or an older one at that position) changes nothing.
    applyTaskChange(client, { type: 'updated', task: task('c', 'Zz') });
    expect(order()).toEqual(['c', 'a', 'b']);
  });
});
