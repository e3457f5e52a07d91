/**
 * The SSE link for subscriptions (`task.changes`), in a file of its own so that the web client
 * loads it (and its EventSource ponyfill) only when it opens the stream.
 */
import { httpSubscriptionLink, type Operation, type TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { trpcUrl } from './trpc-link';

/** What `bearerSubscriptionLink` needs of an EventSource: the `eventsource` package's (D33). */
export interface HeaderEventSourceInit {
  fetch?: (url: string | URL, init: { headers: Record<string, string> }) => Promise<Response>;
}
export type HeaderEventSource = new (url: string | URL, init?: HeaderEventSourceInit) => unknown;

export interface BearerSubscriptionLinkOptions {
  baseUrl: string;
  /** Read again on every (re)connection, so a reconnect carries a fresh JWT. */
  getToken: () => string | null | undefined | Promise<string | null | undefined>;
  /**
   * An EventSource that takes a `fetch` (the `eventsource` package): the browser's own cannot
   * send an Authorization header (trpc/trpc#6950), and a token never goes in a URL.
   */
  EventSource: HeaderEventSource;
  fetch?: typeof fetch | undefined;
  /** Hears which token each connection of an operation was opened with. */
  onConnect?: (op: Operation, token: string | null) => void;
}

/**
 * Subscriptions (`task.changes`) over SSE with the JWT in `Authorization: Bearer`: every
 * connection, the first and each automatic reconnection (which sends `Last-Event-ID`), asks
 * `getToken` for the current token.
 */
export function bearerSubscriptionLink(opts: BearerSubscriptionLinkOptions): TRPCLink<AnyTRPCRouter> {
  const fetchImpl = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  return httpSubscriptionLink({
    url: trpcUrl(opts.baseUrl),
    EventSource: opts.EventSource as unknown as typeof EventSource,
    eventSourceOptions: ({ op }) => {
      const init: HeaderEventSourceInit = {
        fetch: async (url, requestInit) => {
          const token = (await opts.getToken()) ?? null;
          opts.onConnect?.(op, token);
          const headers = token
            ? { ...requestInit.headers, authorization: `Bearer ${token}` }
            : requestInit.headers;
          return fetchImpl(url, { ...(requestInit as RequestInit), headers });
        },
      };
      return init as EventSourceInit;
    },
  });
}
