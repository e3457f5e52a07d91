/**
 * Whether the browser can reach the network, as TanStack Query's `onlineManager` sees it. Queries
 * and mutations (`networkMode: 'online'`) pause while it says offline and resume, in order of
 * creation, when it says online again: that pause is the app's offline queue.
 */
import { onlineManager } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import { useSyncExternalStore } from 'react';

const browserOffline = (): boolean => typeof navigator !== 'undefined' && navigator.onLine === false;

/**
 * TanStack Query v5 starts "online" and only listens to the `online`/`offline` events, so a page
 * opened without a connection (from the service worker's cache) would send its changes, see them
 * fail and roll them back. `navigator.onLine === false` is reliable (only `true` is not): trust it.
 */
export function seedOnlineStatus(): void {
  if (browserOffline()) onlineManager.setOnline(false);
}

/** A call that got no answer at all (the request failed before any response), not a refusal. */
export function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return error instanceof TypeError;
  return error.data === undefined && !(error.meta?.['response'] instanceof Response);
}

/**
 * The mutations' `retry`: a change that failed because the connection dropped before the
 * `offline` event arrived is tried again, and since the browser now says offline, TanStack pauses
 * it until the connection is back instead of rolling it back. Any other failure (the server
 * answered, or it is unreachable while the browser is online) is final, as before: only changes
 * that are safe to send twice are ever replayed (see D36), and those are the only ones the app makes.
 */
export function retryWhenOffline(_failures: number, error: unknown): boolean {
  if (!isNetworkFailure(error) || !browserOffline()) return false;
  onlineManager.setOnline(false);
  return true;
}

/** Re-renders when the browser goes on- or offline. */
export function useOnline(): boolean {
  return useSyncExternalStore(
    (listener) => onlineManager.subscribe(listener),
    () => onlineManager.isOnline(),
  );
}
