/**
 * The `task.changes` stream of the web client, loaded on demand (its EventSource ponyfill is not
 * part of the first page's JavaScript). The JWT goes in the Authorization header of every
 * (re)connection, read from the session each time (decisions D33).
 */
import { createTRPCClient } from '@trpc/client';
import { EventSource } from 'eventsource';
import type { AppRouter } from '../../../../server/trpc/router';
import type { TaskChangeEvent } from '../../../../shared/task-events';
import { bearerSubscriptionLink } from '../../../../shared/trpc-subscription-link';

export type LiveState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** Waits before opening the stream again: 1 s doubling up to 30 s, jittered so tabs spread out. */
const backoffMs = (attempt: number) => Math.min(30_000, 1_000 * 2 ** attempt) * (0.5 + Math.random() / 2);

const isOffline = () => typeof navigator !== 'undefined' && navigator.onLine === false;

export function connectTaskChanges(opts: {
  baseUrl: string;
  fetch: typeof fetch;
  getToken: () => Promise<string | null>;
  onEvent: (event: TaskChangeEvent) => void;
  onState: (state: LiveState) => void;
}): () => void {
  const client = createTRPCClient<AppRouter>({
    links: [
      bearerSubscriptionLink({
        baseUrl: opts.baseUrl,
        fetch: opts.fetch,
        getToken: opts.getToken,
        EventSource,
      }),
    ],
  });
  let lastEventId: string | undefined;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let subscription: { unsubscribe(): void } | undefined;
  let stopped = false;

  const setDown = () => opts.onState(isOffline() ? 'offline' : 'reconnecting');

  /** The stream ended (token expired, server restarting, refused): open it again, from the last id. */
  const retry = () => {
    // Cleared first: unsubscribing may call onComplete, which must not retry a second time.
    const previous = subscription;
    subscription = undefined;
    previous?.unsubscribe();
    if (stopped) return;
    setDown();
    clearTimeout(timer);
    timer = setTimeout(connect, backoffMs(attempt++));
  };

  function connect() {
    timer = undefined;
    if (stopped) return;
    subscription = client.task.changes.subscribe(lastEventId === undefined ? {} : { lastEventId }, {
      onStarted: () => {
        attempt = 0;
        opts.onState('connected');
      },
      onData: ({ id, data }) => {
        lastEventId = id;
        opts.onEvent(data);
      },
      // The EventSource reconnects by itself after a dropped connection (sending Last-Event-ID).
      onConnectionStateChange: (state) => {
        if (state.state === 'connecting' && state.error) setDown();
        if (state.state === 'pending') opts.onState('connected');
      },
      onError: retry,
      onComplete: () => {
        if (!stopped && subscription) retry();
      },
    });
  }

  // Back online: open a fresh stream from the last id now, rather than wait for the backoff or
  // trust a connection that may have died silently meanwhile.
  const online = () => {
    if (stopped) return;
    clearTimeout(timer);
    const previous = subscription;
    subscription = undefined;
    previous?.unsubscribe();
    attempt = 0;
    opts.onState('reconnecting');
    connect();
  };
  const offline = () => opts.onState('offline');
  globalThis.addEventListener?.('online', online);
  globalThis.addEventListener?.('offline', offline);
  connect();

  return () => {
    stopped = true;
    clearTimeout(timer);
    globalThis.removeEventListener?.('online', online);
    globalThis.removeEventListener?.('offline', offline);
    subscription?.unsubscribe();
  };
}
