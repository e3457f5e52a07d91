/**
 * The typed client other TypeScript services use to call the task API, with an API key (the SDK
 * exchanges it for short-lived JWTs and renews them) or with a JWT the caller already has:
 *
 *   const api = createApiClient({ baseUrl: 'https://tasks.example.com', apiKey: process.env.TASKS_API_KEY });
 *   const api = createApiClient({ baseUrl: 'https://tasks.example.com', getToken: () => myJwt });
 *   const { items } = await api.task.list.query({ status: 'active' });
 *
 * Inputs and outputs are inferred from the server's router; nothing is restated by hand.
 */
import { createTRPCClient, retryLink, splitLink, type TRPCClientErrorLike } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { ApiKeyExchangeError, createApiKeyTokens, type ApiKeyTokens } from '../../shared/api-key-tokens';
import { EventSource } from 'eventsource';
import { bearerSubscriptionLink } from '../../shared/trpc-subscription-link';
import { bearerBatchLink, idempotentCreateLink, isSafeToRetry } from '../../shared/trpc-link';
import type { AppRouter } from '../trpc/router';

export type { AppRouter };
export { ApiKeyExchangeError };
export type { ApiKeyScope } from '../../shared/api-key';
export type ApiInputs = inferRouterInputs<AppRouter>;
export type ApiOutputs = inferRouterOutputs<AppRouter>;
export type Task = ApiOutputs['task']['get'];
export type { TaskChangeEvent } from '../../shared/task-events';

interface CommonOptions {
  /** The server's base URL, e.g. `https://tasks.example.com` (no trailing `/api/trpc`). */
  baseUrl: string;
  /** A custom fetch (tests, proxies); defaults to the global one. */
  fetch?: typeof fetch;
}

export interface ApiKeyClientOptions extends CommonOptions {
  /** An API key (`tm_…`) created on the API keys page; exchanged for JWTs, never sent to the API itself. */
  apiKey: string;
  /** Renew the JWT this long before it expires (default 60 s). */
  renewBeforeSeconds?: number;
  /** For tests: the clock used to decide when to renew. */
  now?: () => number;
  getToken?: never;
}

export interface TokenClientOptions extends CommonOptions {
  /** Returns the current JWT (from Better Auth's `/api/auth/token`), or null when signed out. */
  getToken: () => string | null | undefined | Promise<string | null | undefined>;
  apiKey?: never;
}

export type ApiClientOptions = ApiKeyClientOptions | TokenClientOptions;

/** Sends after a lost answer: up to this many tries in all, 250 ms apart then doubling. */
export const SDK_MAX_ATTEMPTS = 3;

/** No answer at all (network, reset, timeout) or a 503: the server may have done it, or not yet. */
const answerLost = (error: TRPCClientErrorLike<AppRouter>): boolean =>
  error.data === undefined || error.data === null || error.data.code === 'SERVICE_UNAVAILABLE';

/** Where an operation's context remembers the JWT it was sent with. */
const SENT_WITH = 'taskmanager.sentWithToken';

/** The key exchange refused (bad key, rate limited): sending again now would not help. A 503 may. */
const exchangeRefused = (error: TRPCClientErrorLike<AppRouter>): boolean =>
  error instanceof Error && error.cause instanceof ApiKeyExchangeError && error.cause.status !== 503;

/** Waits between reconnections of a subscription: 250 ms doubling, at most 5 s. */
const resubscribeDelayMs = (attempt: number) => Math.min(250 * 2 ** attempt, 5_000);

/**
 * Every `task.create` gets an idempotency key (unless given one), and reads and keyed creates whose
 * answer was lost are sent again with the same input, so a retry never makes a second task. With
 * an API key, a call answered UNAUTHORIZED (the JWT was revoked or the signing keys changed) is
 * sent once more with a freshly exchanged JWT.
 */
export function createApiClient(options: ApiClientOptions) {
  const { baseUrl, fetch } = options;
  let tokens: ApiKeyTokens | undefined;
  let getToken: TokenClientOptions['getToken'];
  if (options.apiKey === undefined) {
    getToken = options.getToken;
  } else {
    const keyTokens = createApiKeyTokens({
      baseUrl,
      apiKey: options.apiKey,
      fetch,
      renewBeforeSeconds: options.renewBeforeSeconds,
      now: options.now,
    });
    tokens = keyTokens;
    getToken = () => keyTokens.get();
  }
  const rememberToken = (ops: readonly { context: Record<string, unknown> }[], token: string | null) => {
    for (const op of ops) op.context[SENT_WITH] = token;
  };
  const sentWith = (context: Record<string, unknown>) => {
    const sent = context[SENT_WITH];
    return typeof sent === 'string' ? sent : null;
  };
  return createTRPCClient<AppRouter>({
    links: [
      idempotentCreateLink(),
      splitLink({
        condition: (op) => op.type === 'subscription',
        // `task.changes`: a stream ends when its JWT expires or the server restarts; it is opened
        // again (with a fresh JWT, from the last event id, so nothing is missed or repeated)
        // until the caller unsubscribes or the API key is refused.
        true: [
          retryLink({
            retry: ({ op, error }) => {
              if (exchangeRefused(error)) return false;
              if (tokens && (error.data?.code === 'UNAUTHORIZED' || error.data == null)) {
                tokens.invalidate(sentWith(op.context));
              }
              return true;
            },
            retryDelayMs: resubscribeDelayMs,
          }),
          bearerSubscriptionLink({
            baseUrl,
            getToken,
            fetch,
            EventSource,
            onConnect: (op, token) => rememberToken([op], token),
          }),
        ],
        false: [
          retryLink({
            retry: ({ op, error, attempts }) => {
              if (tokens && attempts === 1 && error.data?.code === 'UNAUTHORIZED') {
                // Drop the JWT this call went out with (not one renewed meanwhile) and send it again.
                tokens.invalidate(sentWith(op.context));
                return true;
              }
              return (
                attempts < SDK_MAX_ATTEMPTS &&
                answerLost(error) &&
                !exchangeRefused(error) &&
                isSafeToRetry(op)
              );
            },
            retryDelayMs: (attempt) => 250 * 2 ** attempt,
          }),
          bearerBatchLink({ baseUrl, getToken, fetch, onSend: rememberToken }),
        ],
      }),
    ],
  });
}

export type ApiClient = ReturnType<typeof createApiClient>;
