import { onlineManager } from '@tanstack/react-query';
import { act, screen, waitFor } from '@testing-library/react';
import { afterEach, expect, test, vi } from 'vitest';
import { renderApp } from '../../test/render-app';
import { useTestApi } from '../../test/test-api';

// Two-second tokens, so one expires while the browser is offline.
const api = useTestApi({ tokenTtlSeconds: 2 });

afterEach(() => {
  vi.restoreAllMocks();
  onlineManager.setOnline(true);
});

test('a token that expired offline is renewed on reconnect before the change is replayed, once', async () => {
  const me = await api.addUser({ name: 'Me', email: 'me@example.com', password: 'correct horse battery' });
  api.signInAs(me);
  await api.addTask(me.id, 'Pay rent');
  let down = false;
  const fetch: typeof globalThis.fetch = (input, init) =>
    down ? Promise.reject(new TypeError('Failed to fetch')) : api.fetch(input, init);
  const { user } = renderApp({ fetch }, '/');
  await screen.findByRole('checkbox', { name: 'Pay rent' });

  down = true;
  vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
  act(() => onlineManager.setOnline(false));
  await user.click(screen.getByRole('checkbox', { name: 'Pay rent' }));
  // Renewals fail while offline; the token outlives its lifetime, and the server forgets it.
  await new Promise((resolve) => setTimeout(resolve, 2_200));
  api.expireTokens();
  const before = api.calls.length;

  down = false;
  vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(true);
  act(() => onlineManager.setOnline(true));
  await waitFor(async () => expect((await api.tasks())[0]?.completed).toBe(true));
  // Sent once, with a fresh token: no refused first attempt.
  expect(api.calls.slice(before).filter((c) => c === 'task.update')).toEqual(['task.update']);
  expect(screen.getByRole('checkbox', { name: 'Pay rent' })).toBeChecked();
  expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  expect(screen.getByRole('heading', { name: 'Your tasks' })).toBeInTheDocument();
});
