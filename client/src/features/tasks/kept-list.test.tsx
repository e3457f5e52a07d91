import 'fake-indexeddb/auto';
import { onlineManager } from '@tanstack/react-query';
import { act, screen, waitFor, within } from '@testing-library/react';
import { IDBFactory } from 'fake-indexeddb';
import { createStore, entries } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { KeptRecord } from '../../lib/offline/kept-list-store';
import { renderApp } from '../../test/render-app';
import { useTestApi, type TestApi, type TestUser } from '../../test/test-api';

const api = useTestApi();

beforeEach(() => {
  // A fresh IndexedDB and Web Storage per test, as on a fresh device.
  globalThis.indexedDB = new IDBFactory();
  localStorage.clear();
});

afterEach(() => {
  vi.restoreAllMocks();
  onlineManager.setOnline(true);
});

/** Everything this app keeps in IndexedDB (the store the kept list uses). */
const stored = async (): Promise<[IDBValidKey, unknown][]> => entries(createStore('tasks-offline', 'kept'));
const keptRecord = async (): Promise<KeptRecord | undefined> => {
  const [first] = await stored();
  return first?.[1] as KeptRecord | undefined;
};
const keptTitles = async (): Promise<string[]> => {
  const record = await keptRecord();
  const titles: string[] = [];
  for (const query of record?.client.clientState.queries ?? []) {
    const data = query.state.data as { pages?: { items: { title: string }[] }[] } | undefined;
    for (const page of data?.pages ?? []) titles.push(...page.items.map((t) => t.title));
  }
  return titles;
};

const browserOnline = (online: boolean) => vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(online);

/** The test server behind a cable that can be pulled (every request fails while `down`). */
function cable(server: Pick<TestApi, 'fetch'>) {
  const state = { down: false };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    if (state.down) throw new TypeError('Failed to fetch');
    return server.fetch(input, init);
  };
  return { state, fetch };
}

const banner = () => screen.getAllByRole('status').find((el) => el.classList.contains('offline-region'));
const count = (path: string) => api.calls.filter((c) => c === path).length;

const ME = { name: 'Me', email: 'me@example.com', password: 'correct horse battery' };

/** Signs in through the form, ticking "Keep my list on this device" or not. */
async function signInThroughForm(fetch: typeof globalThis.fetch, me: TestUser, keep: boolean) {
  const view = renderApp({ fetch }, '/sign-in');
  const { user } = view;
  await user.type(await screen.findByLabelText('Email'), me.email);
  await user.type(screen.getByLabelText('Password'), me.password);
  const box = screen.getByRole('checkbox', { name: 'Keep my list on this device for offline use' });
  expect(box).not.toBeChecked();
  if (keep) await user.click(box);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  await screen.findByRole('heading', { name: 'Your tasks' });
  return view;
}

/** What a reload does to the app: the page and its memory go; only the device's storage stays. */
function reload(view: ReturnType<typeof renderApp>, fetch: typeof globalThis.fetch) {
  view.unmount();
  view.services.dispose();
  return renderApp({ fetch }, '/');
}

describe('keep my list on this device (D38)', () => {
  test('an offline reload shows the last list, honestly; a change made offline survives a reload and is sent once', async () => {
    const me = await api.addUser(ME);
    await api.addTask(me.id, 'Pay rent');
    await api.addTask(me.id, 'Call mum');
    const net = cable(api);
    let view = await signInThroughForm(net.fetch, me, true);
    await screen.findByRole('checkbox', { name: 'Pay rent' });
    await waitFor(async () => expect(await keptTitles()).toEqual(['Call mum', 'Pay rent']));
    const record = await keptRecord();
    // Who it belongs to, and nothing that signs in: no token, no password.
    expect(record?.userId).toBe(me.id);
    expect(JSON.stringify(await stored())).not.toMatch(/eyJ|correct horse|Bearer/);

    // Reload without a connection: the list is there, and the banner says how old it is.
    net.state.down = true;
    browserOnline(false);
    view = reload(view, net.fetch);
    const user = view.user;
    expect(await screen.findByRole('checkbox', { name: 'Pay rent' })).not.toBeChecked();
    expect(banner()).toHaveTextContent(
      /You’re offline\. Showing your list as last seen (at|on) .+\. Your changes are kept on this device and sent when you’re back online\./,
    );
    expect(screen.getByRole('button', { name: 'Account: me@example.com' })).toBeInTheDocument();

    await user.click(screen.getByRole('checkbox', { name: 'Pay rent' }));
    await waitFor(() => expect(banner()).toHaveTextContent('1 change waiting.'));
    await waitFor(async () => expect((await keptRecord())?.client.clientState.mutations).toHaveLength(1));

    // Another reload, still offline: the change is still waiting, and still shown.
    reload(view, net.fetch);
    expect(await screen.findByRole('checkbox', { name: 'Pay rent' })).toBeChecked();
    await waitFor(() => expect(banner()).toHaveTextContent('1 change waiting.'));
    expect(count('task.update')).toBe(0);

    // Back online: the session is checked, the change is sent once, and the list is the server's.
    net.state.down = false;
    browserOnline(true);
    act(() => onlineManager.setOnline(true));
    await waitFor(async () =>
      expect((await api.tasks()).map((t) => [t.title, t.completed])).toEqual([
        ['Pay rent', true],
        ['Call mum', false],
      ]),
    );
    await waitFor(() => expect(banner()).toBeEmptyDOMElement());
    await waitFor(async () => expect((await keptRecord())?.client.clientState.mutations).toHaveLength(0));
    expect(count('task.update')).toBe(1);
    expect(screen.getByRole('checkbox', { name: 'Pay rent' })).toBeChecked();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  test('after a reload, a tick and an edit of one task queued offline replay in order, not as a conflict with each other', async () => {
    const me = await api.addUser(ME);
    await api.addTask(me.id, 'Call mum');
    const net = cable(api);
    let view = await signInThroughForm(net.fetch, me, true);
    await waitFor(async () => expect(await keptTitles()).toEqual(['Call mum']));
    net.state.down = true;
    browserOnline(false);
    view = reload(view, net.fetch);
    const { user } = view;
    await user.click(await screen.findByRole('checkbox', { name: 'Call mum' }));
    await user.click(screen.getByRole('button', { name: 'Edit Call mum' }));
    const title = screen.getByRole('textbox', { name: 'Title' });
    await user.clear(title);
    await user.type(title, 'Call mum back{Enter}');
    await waitFor(async () => expect((await keptRecord())?.client.clientState.mutations).toHaveLength(2));
    reload(view, net.fetch);
    await waitFor(() => expect(banner()).toHaveTextContent('2 changes waiting.'));

    net.state.down = false;
    browserOnline(true);
    act(() => onlineManager.setOnline(true));
    await waitFor(async () =>
      expect((await api.tasks()).map((t) => [t.title, t.completed, t.version])).toEqual([
        ['Call mum back', true, 3],
      ]),
    );
    expect(count('task.update')).toBe(2);
    expect(await screen.findByRole('checkbox', { name: 'Call mum back' })).toBeChecked();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  test('after a reload, an offline edit of a task changed elsewhere meanwhile is not applied, and says so with the typed title', async () => {
    const me = await api.addUser(ME);
    const task = await api.addTask(me.id, 'Call mum');
    const net = cable(api);
    let view = await signInThroughForm(net.fetch, me, true);
    await waitFor(async () => expect(await keptTitles()).toEqual(['Call mum']));
    net.state.down = true;
    browserOnline(false);
    view = reload(view, net.fetch);
    const { user } = view;
    await user.click(await screen.findByRole('button', { name: 'Edit Call mum' }));
    const title = screen.getByRole('textbox', { name: 'Title' });
    await user.clear(title);
    await user.type(title, 'Call mum back{Enter}');
    await waitFor(async () => expect((await keptRecord())?.client.clientState.mutations).toHaveLength(1));
    reload(view, net.fetch);
    await waitFor(() => expect(banner()).toHaveTextContent('1 change waiting.'));
    await api.as(me).task.update({ id: task.id, title: 'Call dad', version: task.version });

    net.state.down = false;
    browserOnline(true);
    act(() => onlineManager.setOnline(true));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      '“Call dad” was changed somewhere else while you were offline, so your edit wasn’t saved. Your title was “Call mum back”.',
    );
    expect((await api.tasks()).map((t) => t.title)).toEqual(['Call dad']);
    expect(await screen.findByRole('checkbox', { name: 'Call dad' })).toBeInTheDocument();
  });

  test('signing out empties the device', async () => {
    const me = await api.addUser(ME);
    await api.addTask(me.id, 'Pay rent');
    const { user } = await signInThroughForm(api.fetch, me, true);
    await screen.findByRole('checkbox', { name: 'Pay rent' });
    await waitFor(async () => expect(await keptTitles()).toEqual(['Pay rent']));

    await user.click(screen.getByRole('button', { name: 'Account: me@example.com' }));
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await screen.findByRole('heading', { name: 'Sign in' });
    await waitFor(async () => expect(await stored()).toEqual([]));
    expect(localStorage.length).toBe(0);
  });

  test('signing out in another tab empties the device too, and this tab writes nothing after it', async () => {
    const me = await api.addUser(ME);
    await api.addTask(me.id, 'Pay rent');
    await signInThroughForm(api.fetch, me, true);
    await screen.findByRole('checkbox', { name: 'Pay rent' });
    await waitFor(async () => expect(await keptTitles()).toEqual(['Pay rent']));

    // A second tab of the same person, which signs out.
    const other = renderApp(api, '/');
    await waitFor(() => expect(screen.getAllByRole('checkbox', { name: 'Pay rent' })).toHaveLength(2));
    const menus = screen.getAllByRole('button', { name: 'Account: me@example.com' });
    await other.user.click(menus[1] as HTMLElement);
    await other.user.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(screen.getAllByRole('heading', { name: 'Sign in' })).toHaveLength(2));
    await waitFor(async () => expect(await stored()).toEqual([]));
    expect(localStorage.length).toBe(0);
  });

  test('a session ended elsewhere: on reconnect the kept list and its changes are wiped, not sent, and sign-in is shown', async () => {
    const me = await api.addUser(ME);
    await api.addTask(me.id, 'Pay rent');
    const net = cable(api);
    let view = await signInThroughForm(net.fetch, me, true);
    await waitFor(async () => expect(await keptTitles()).toEqual(['Pay rent']));

    net.state.down = true;
    browserOnline(false);
    view = reload(view, net.fetch);
    await view.user.click(await screen.findByRole('checkbox', { name: 'Pay rent' }));
    await waitFor(async () => expect((await keptRecord())?.client.clientState.mutations).toHaveLength(1));

    api.signInAs(null); // signed out on another device, or every session revoked
    net.state.down = false;
    browserOnline(true);
    act(() => onlineManager.setOnline(true));
    expect(
      await screen.findByText('Your session has ended. Please sign in again to continue.'),
    ).toBeInTheDocument();
    await waitFor(async () => expect(await stored()).toEqual([]));
    expect(screen.queryByText('Pay rent')).not.toBeInTheDocument();
    expect(count('task.update')).toBe(0);
    expect((await api.tasks())[0]?.completed).toBe(false);
  });

  test('another person signed in on this device never sees the kept list, and its changes are never sent as theirs', async () => {
    const me = await api.addUser(ME);
    const other = await api.addUser({
      name: 'Other',
      email: 'other@example.com',
      password: 'other horse battery',
    });
    await api.addTask(me.id, 'Pay rent');
    await api.addTask(other.id, 'Water plants');
    const net = cable(api);
    let view = await signInThroughForm(net.fetch, me, true);
    await waitFor(async () => expect(await keptTitles()).toEqual(['Pay rent']));

    net.state.down = true;
    browserOnline(false);
    view = reload(view, net.fetch);
    await view.user.click(await screen.findByRole('checkbox', { name: 'Pay rent' }));
    await waitFor(async () => expect((await keptRecord())?.client.clientState.mutations).toHaveLength(1));

    api.signInAs(other); // the browser's session cookie now belongs to someone else
    net.state.down = false;
    browserOnline(true);
    act(() => onlineManager.setOnline(true));
    expect(await screen.findByRole('checkbox', { name: 'Water plants' })).toBeInTheDocument();
    expect(screen.queryByText('Pay rent')).not.toBeInTheDocument();
    await waitFor(async () => expect(await stored()).toEqual([]));
    expect(count('task.update')).toBe(0);
    expect((await api.tasks()).find((t) => t.title === 'Pay rent')?.completed).toBe(false);
  });

  test('not kept (the default): nothing of the person is written to IndexedDB or Web Storage', async () => {
    const me = await api.addUser(ME);
    await api.addTask(me.id, 'Pay rent');
    const { user } = await signInThroughForm(api.fetch, me, false);
    await user.click(await screen.findByRole('checkbox', { name: 'Pay rent' }));
    await waitFor(async () => expect((await api.tasks())[0]?.completed).toBe(true));
    act(() => onlineManager.setOnline(false));
    await user.type(screen.getByLabelText('New task'), 'Buy milk{Enter}');
    await waitFor(() => expect(banner()).toHaveTextContent('keep this tab open until then'));
    expect(await indexedDB.databases()).toEqual([]);
    expect(localStorage.length).toBe(0);
  });

  test('turning it off on the account page wipes what was kept', async () => {
    const me = await api.addUser(ME);
    await api.addTask(me.id, 'Pay rent');
    const { user } = await signInThroughForm(api.fetch, me, true);
    await waitFor(async () => expect(await keptTitles()).toEqual(['Pay rent']));
    await user.click(screen.getByRole('button', { name: 'Account: me@example.com' }));
    await user.click(screen.getByRole('link', { name: 'Account settings' }));
    const device = await screen.findByRole('region', { name: 'This device' });
    const box = within(device).getByRole('checkbox', { name: 'Keep my list on this device for offline use' });
    expect(box).toBeChecked();
    await user.click(box);
    await waitFor(() => expect(box).not.toBeChecked());
    await waitFor(async () => expect(await stored()).toEqual([]));
    expect(localStorage.length).toBe(0);
  });
});
