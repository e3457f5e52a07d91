/** Planning on the tasks page (issue 14, item 2) against the real router on PGlite. */
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { renderApp } from '../../test/render-app';
import { useTestApi } from '../../test/test-api';
import { localDate } from './due-date';

const api = useTestApi();

/** The device's date `days` from today, as the client computes "today". */
const dayFromToday = (days: number) => {
  const date = new Date();
  date.setDate(date.getDate() + days);
  return localDate(date);
};

const titles = () => [...document.querySelectorAll('.task-title')].map((el) => el.textContent);

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
    // The rows come with the reorder code (D37), a moment after the counts and this box.
    await screen.findByRole('checkbox', { name: 'Milk' });
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
    // The rows come with the reorder code (D37), a moment after the counts and this box.
    await screen.findByRole('checkbox', { name: 'Milk' });
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

describe('due dates', () => {
  test('a new task takes a due date; an overdue one says so in words', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'File taxes', { dueOn: dayFromToday(-2) });
    const { user } = renderApp(api, '/');
    const overdueRow = (await screen.findByText('File taxes')).closest('li');
    expect(overdueRow).toHaveTextContent(/Overdue: was due/);

    await user.type(screen.getByLabelText('New task'), 'Buy flowers');
    await user.type(screen.getByLabelText('Due date (optional)'), dayFromToday(0));
    await user.keyboard('{Enter}');
    const row = (await screen.findByText('Buy flowers')).closest('li');
    expect(row).toHaveTextContent('Due today');
    await waitFor(async () =>
      expect((await api.tasks()).find((t) => t.title === 'Buy flowers')?.dueOn).toBe(dayFromToday(0)),
    );
    expect(screen.getByLabelText('Due date (optional)')).toHaveValue('');
  });

  test('Today lists overdue and due-today active tasks, earliest first; Upcoming the later ones', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Due today', { dueOn: dayFromToday(0) });
    await api.addTask(me.id, 'Overdue', { dueOn: dayFromToday(-3) });
    await api.addTask(me.id, 'Done already', { dueOn: dayFromToday(-1), completed: true });
    await api.addTask(me.id, 'Next week', { dueOn: dayFromToday(7) });
    await api.addTask(me.id, 'No date');
    const { user } = renderApp(api, '/?filter=today');
    await screen.findByText('Overdue');
    expect(titles()).toEqual(['Overdue', 'Due today']);
    expect(screen.getByRole('list', { name: 'Today tasks' })).toBeInTheDocument();

    // Completing a task takes it out of Today at once.
    await user.click(screen.getByRole('checkbox', { name: 'Overdue' }));
    await waitFor(() => expect(titles()).toEqual(['Due today']));

    await user.click(screen.getByRole('link', { name: 'Upcoming' }));
    await waitFor(() => expect(titles()).toEqual(['Next week']));
  });

  test('moving a due date in the editor moves the task between views', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Call mum', { dueOn: dayFromToday(0) });
    const { user } = renderApp(api, '/?filter=today');
    await user.click(await screen.findByRole('button', { name: 'Edit Call mum' }));
    const date = screen.getByLabelText('Due date');
    await user.clear(date);
    await user.type(date, dayFromToday(1));
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Nothing due today or overdue.')).toBeInTheDocument();
    await waitFor(async () => expect((await api.tasks())[0]?.dueOn).toBe(dayFromToday(1)));
    await user.click(screen.getByRole('link', { name: 'Upcoming' }));
    expect(await screen.findByText('Due tomorrow')).toBeInTheDocument();
  });
});

describe('search', () => {
  test('finds by description as you type, one request per pause, and Escape clears', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Buy milk', { description: 'From the corner shop' });
    await api.addTask(me.id, 'Call the plumber', { description: 'Kitchen sink leaks' });
    await api.addTask(me.id, 'Book flights');
    const { user } = renderApp(api, '/');
    const box = await screen.findByRole('searchbox', { name: 'Search tasks' });
    await screen.findByText('Book flights');
    const before = api.calls.filter((c) => c === 'task.list').length;

    await user.type(box, 'kitch');
    await waitFor(() => expect(titles()).toEqual(['Call the plumber']));
    expect(screen.getByRole('list', { name: 'All tasks matching “kitch”' })).toBeInTheDocument();
    // Five keys, one search (debounced).
    expect(api.calls.filter((c) => c === 'task.list').length - before).toBe(1);

    await user.clear(box);
    await user.type(box, 'nothing like it');
    expect(await screen.findByText('No tasks match “nothing like it”.')).toBeInTheDocument();

    await user.keyboard('{Escape}');
    expect(box).toHaveValue('');
    await waitFor(() => expect(titles()).toEqual(['Book flights', 'Call the plumber', 'Buy milk']));
  });

  test('searches within the chosen filter', async () => {
    const { api, me } = await signedIn();
    await api.addTask(me.id, 'Report draft');
    await api.addTask(me.id, 'Report final', { completed: true });
    const { user } = renderApp(api, '/?filter=completed');
    await screen.findByText('Report final');
    await user.type(screen.getByRole('searchbox', { name: 'Search tasks' }), 'report');
    await waitFor(() => expect(titles()).toEqual(['Report final']));
  });
});
