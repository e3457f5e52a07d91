import { onlineManager } from '@tanstack/react-query';
import { act, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { renderApp } from '../../test/render-app';
import { useTestApi, type TestApi } from '../../test/test-api';

const api = useTestApi();

afterEach(() => {
  vi.restoreAllMocks();
  onlineManager.setOnline(true);
});

async function signedIn() {
  const me = await api.addUser({ name: 'Me', email: 'me@example.com', password: 'correct horse battery' });
  api.signInAs(me);
  return me;
}

/** What the browser reports, as Chromium does when the connection goes (`navigator.onLine`). */
const browserOnline = (online: boolean) => vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(online);

/**
 * The test server behind a cable that can be pulled: `down` fails every request before it leaves;
 * `cutAfter` lets the next request matching it reach the server, then loses its answer.
 */
function cable(server: Pick<TestApi, 'fetch'>) {
  const state = { down: false, cutAfter: null as string | null };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    if (state.down) throw new TypeError('Failed to fetch');
    const url = input instanceof Request ? input.url : String(input);
    const response = await server.fetch(input, init);
    if (state.cutAfter && url.includes(state.cutAfter)) {
      state.cutAfter = null;
      state.down = true;
      throw new TypeError('Failed to fetch');
    }
    return response;
  };
  return { state, fetch };
}

const banner = () => screen.getAllByRole('status').find((el) => el.classList.contains('offline-region'));
const count = (path: string) => api.calls.filter((c) => c === path).length;

describe('offline', () => {
  test('a banner says the browser is offline and that changes wait; it goes when back online', async () => {
    const me = await signedIn();
    await api.addTask(me.id, 'Pay rent');
    const { user } = renderApp(api, '/');
    await screen.findByRole('checkbox', { name: 'Pay rent' });
    expect(banner()).toBeEmptyDOMElement();

    act(() => onlineManager.setOnline(false));
    expect(banner()).toHaveTextContent(
      'Offline You’re offline. Your changes will be sent when you’re back online; keep this tab open until then.',
    );
    await user.click(screen.getByRole('checkbox', { name: 'Pay rent' }));
    await waitFor(() => expect(banner()).toHaveTextContent('1 change waiting.'));

    act(() => onlineManager.setOnline(true));
    await waitFor(() => expect(banner()).toBeEmptyDOMElement());
    await waitFor(async () => expect((await api.tasks())[0]?.completed).toBe(true));
  });

  test('add, complete and edit made offline stay shown, and each reaches the server once on reconnect', async () => {
    const me = await signedIn();
    await api.addTask(me.id, 'Pay rent');
    await api.addTask(me.id, 'Call mum');
    const { user } = renderApp(api, '/');
    await screen.findByRole('checkbox', { name: 'Pay rent' });
    const before = api.calls.length;

    act(() => onlineManager.setOnline(false));
    await user.type(screen.getByLabelText('New task'), 'Buy milk{Enter}');
    await user.click(screen.getByRole('checkbox', { name: 'Pay rent' }));
    await user.click(screen.getByRole('button', { name: 'Edit Call mum' }));
    const title = screen.getByRole('textbox', { name: 'Title' });
    await user.clear(title);
    await user.type(title, 'Call mum back{Enter}');

    // Shown at once, nothing sent, nothing rolled back, no error.
    expect(await screen.findByText('Buy milk')).toBeInTheDocument();
    expect(screen.getByText('Waiting for a connection')).toBeInTheDocument();
    expect(screen.getByRole('checkbox', { name: 'Pay rent' })).toBeChecked();
    expect(screen.getByText('Call mum back')).toBeInTheDocument();
    await waitFor(() => expect(banner()).toHaveTextContent('3 changes waiting.'));
    expect(api.calls.length).toBe(before);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    act(() => onlineManager.setOnline(true));
    await waitFor(() => expect(screen.queryByText('Saving…')).not.toBeInTheDocument());
    await waitFor(async () =>
      expect((await api.tasks()).map((t) => [t.title, t.completed])).toEqual([
        ['Pay rent', true],
        ['Call mum back', false],
        ['Buy milk', false],
      ]),
    );
    expect(count('task.create')).toBe(1);
    expect(count('task.update')).toBe(2);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'All 3' })).toBeInTheDocument();
  });

  test('a change cut off by the connection dropping pauses instead of failing, and is sent once', async () => {
    const me = await signedIn();
    await api.addTask(me.id, 'Pay rent');
    const net = cable(api);
    const { user } = renderApp({ fetch: net.fetch }, '/');
    await screen.findByRole('checkbox', { name: 'Pay rent' });

    // The cable is out and the browser knows, but its `offline` event has not arrived yet.
    net.state.down = true;
    browserOnline(false);
    await user.click(screen.getByRole('checkbox', { name: 'Pay rent' }));
    await waitFor(() => expect(banner()).toHaveTextContent('1 change waiting.'));
    expect(screen.getByRole('checkbox', { name: 'Pay rent' })).toBeChecked();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    net.state.down = false;
    browserOnline(true);
    act(() => onlineManager.setOnline(true));
    await waitFor(async () => expect((await api.tasks())[0]?.completed).toBe(true));
    expect(count('task.update')).toBe(1);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  test('with the browser online, an unreachable server still rolls back and says so (nothing is queued)', async () => {
    const me = await signedIn();
    await api.addTask(me.id, 'Pay rent');
    const net = cable(api);
    const { user } = renderApp({ fetch: net.fetch }, '/');
    await screen.findByRole('checkbox', { name: 'Pay rent' });
    net.state.down = true;
    await user.click(screen.getByRole('checkbox', { name: 'Pay rent' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('the server didn’t respond');
    expect(screen.getByRole('checkbox', { name: 'Pay rent' })).not.toBeChecked();
    expect(banner()).toBeEmptyDOMElement();
  });

  test('an add whose answer was lost as the connection dropped is replayed with the same key: one task', async () => {
    await signedIn();
    const net = cable(api);
    const { user } = renderApp({ fetch: net.fetch }, '/');
    await screen.findByText('No tasks yet. Add your first one above.');
    net.state.cutAfter = 'task.create';
    browserOnline(false);
    await user.type(screen.getByLabelText('New task'), 'Buy milk{Enter}');
    await waitFor(() => expect(banner()).toHaveTextContent('1 change waiting.'));
    expect((await api.tasks()).map((t) => t.title)).toEqual(['Buy milk']);

    net.state.down = false;
    browserOnline(true);
    act(() => onlineManager.setOnline(true));
    await waitFor(() => expect(screen.queryByText('Saving…')).not.toBeInTheDocument());
    await waitFor(() => expect(count('task.create')).toBe(2));
    expect((await api.tasks()).map((t) => t.title)).toEqual(['Buy milk']);
    expect(screen.getAllByText('Buy milk')).toHaveLength(1);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  test('an edit whose answer was lost is recognised on replay as already saved, not as a conflict', async () => {
    const me = await signedIn();
    await api.addTask(me.id, 'Call mum');
    const net = cable(api);
    const { user } = renderApp({ fetch: net.fetch }, '/');
    await user.click(await screen.findByRole('button', { name: 'Edit Call mum' }));
    net.state.cutAfter = 'task.update';
    browserOnline(false);
    const title = screen.getByRole('textbox', { name: 'Title' });
    await user.clear(title);
    await user.type(title, 'Call mum back{Enter}');
    await waitFor(() => expect(banner()).toHaveTextContent('1 change waiting.'));

    net.state.down = false;
    browserOnline(true);
    act(() => onlineManager.setOnline(true));
    await waitFor(() => expect(count('task.update')).toBe(2));
    await waitFor(() => expect(banner()).toBeEmptyDOMElement());
    expect((await api.tasks()).map((t) => [t.title, t.version])).toEqual([['Call mum back', 2]]);
    expect(screen.getByText('Call mum back')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('alert')).not.toBeInTheDocument());
  });

  test('an offline edit of a task changed elsewhere meanwhile is resolved by version, keeping the draft', async () => {
    const me = await signedIn();
    const task = await api.addTask(me.id, 'Call mum');
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('button', { name: 'Edit Call mum' }));
    act(() => onlineManager.setOnline(false));
    const title = screen.getByRole('textbox', { name: 'Title' });
    await user.clear(title);
    await user.type(title, 'Call mum back{Enter}');
    await api.as(me).task.update({ id: task.id, title: 'Call dad', version: task.version });

    act(() => onlineManager.setOnline(true));
    // The editor comes back with what was typed offline, and asks (D34): nothing is lost.
    expect(await screen.findByRole('button', { name: 'Keep mine' })).toHaveFocus();
    expect(screen.getByLabelText('Title')).toHaveValue('Call mum back');
    expect((await api.tasks()).map((t) => t.title)).toEqual(['Call dad']);
    await user.click(screen.getByRole('button', { name: 'Keep mine' }));
    await waitFor(async () => expect((await api.tasks()).map((t) => t.title)).toEqual(['Call mum back']));
  });

  test('opened without a connection: says what needs it, then loads the list by itself when it is back', async () => {
    const me = await signedIn();
    await api.addTask(me.id, 'Pay rent');
    const net = cable(api);
    net.state.down = true;
    // As after a reload served by the service worker: the browser knows it is offline from the start.
    browserOnline(false);
    renderApp({ fetch: net.fetch }, '/');
    expect(
      await screen.findByText('Your list needs a connection. It loads by itself when you’re back online.'),
    );
    expect(banner()).toHaveTextContent('You’re offline.');

    net.state.down = false;
    browserOnline(true);
    act(() => onlineManager.setOnline(true));
    expect(await screen.findByRole('checkbox', { name: 'Pay rent' })).toBeInTheDocument();
    expect(banner()).toBeEmptyDOMElement();
  });

  test('signed out and offline: the banner says signing in needs a connection', async () => {
    renderApp(api, '/sign-in');
    await screen.findByRole('heading', { name: 'Sign in' });
    act(() => onlineManager.setOnline(false));
    expect(banner()).toHaveTextContent('You’re offline. Signing in needs a connection.');
  });

  test('signing out while offline drops the waiting changes: nothing is sent later', async () => {
    const me = await signedIn();
    await api.addTask(me.id, 'Pay rent');
    const net = cable(api);
    const { user } = renderApp({ fetch: net.fetch }, '/');
    await screen.findByRole('checkbox', { name: 'Pay rent' });
    act(() => onlineManager.setOnline(false));
    await user.click(screen.getByRole('checkbox', { name: 'Pay rent' }));
    await waitFor(() => expect(banner()).toHaveTextContent('1 change waiting.'));

    net.state.down = true;
    await user.click(screen.getByRole('button', { name: 'Account: me@example.com' }));
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await screen.findByRole('heading', { name: 'Sign in' });

    net.state.down = false;
    act(() => onlineManager.setOnline(true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(count('task.update')).toBe(0);
    expect((await api.tasks())[0]?.completed).toBe(false);
  });

  test('two offline changes to one task (tick, then edit) do not conflict with each other on replay', async () => {
    const me = await signedIn();
    await api.addTask(me.id, 'Call mum');
    const { user } = renderApp(api, '/');
    await screen.findByRole('checkbox', { name: 'Call mum' });
    act(() => onlineManager.setOnline(false));
    await user.click(screen.getByRole('checkbox', { name: 'Call mum' }));
    await user.click(screen.getByRole('button', { name: 'Edit Call mum' }));
    const title = screen.getByRole('textbox', { name: 'Title' });
    await user.clear(title);
    await user.type(title, 'Call mum back{Enter}');
    await waitFor(() => expect(banner()).toHaveTextContent('2 changes waiting.'));

    act(() => onlineManager.setOnline(true));
    await waitFor(() => expect(banner()).toBeEmptyDOMElement());
    await waitFor(async () =>
      expect((await api.tasks()).map((t) => [t.title, t.completed, t.version])).toEqual([
        ['Call mum back', true, 3],
      ]),
    );
    expect(count('task.update')).toBe(2);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  test('a change made elsewhere between two of mine is still a conflict for the later one', async () => {
    const me = await signedIn();
    const task = await api.addTask(me.id, 'Call mum');
    const { user } = renderApp(api, '/');
    await screen.findByRole('checkbox', { name: 'Call mum' });
    act(() => onlineManager.setOnline(false));
    await user.click(screen.getByRole('checkbox', { name: 'Call mum' }));
    await user.click(screen.getByRole('button', { name: 'Edit Call mum' }));
    const title = screen.getByRole('textbox', { name: 'Title' });
    await user.clear(title);
    await user.type(title, 'Call mum back{Enter}');
    await api.as(me).task.update({ id: task.id, title: 'Call dad', version: task.version });

    act(() => onlineManager.setOnline(true));
    expect(await screen.findByRole('button', { name: 'Keep mine' })).toBeInTheDocument();
    expect(screen.getByLabelText('Title')).toHaveValue('Call mum back');
    await waitFor(async () =>
      expect((await api.tasks()).map((t) => [t.title, t.completed])).toEqual([['Call dad', true]]),
    );
  });
});
