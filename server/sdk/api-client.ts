/**
 * The typed client other TypeScript services use to call the task API:
 *
 *   const api = createApiClient({ baseUrl: 'https://tasks.example.com', getToken: () => myJwt });
 *   const { items } = await api.task.list.query({ status: 'active' });
 *
 * Inputs and outputs are inferred from the server's router; nothing is restated by hand.
 */
import { createTRPCClient, retryLink, type TRPCClientErrorLike } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { bearerBatchLink, idempotentCreateLink, isSafeToRetry } from '../../shared/trpc-link';
import type { AppRouter } from '../trpc/router';

export type { AppRouter };
export type ApiInputs = inferRouterInputs<AppRouter>;
export type ApiOutputs = inferRouterOutputs<AppRouter>;
export type Task = ApiOutputs['task']['get'];

export interface ApiClientOptions {
  /** The server's base URL, e.g. `https://tasks.example.com` (no trailing `/api/trpc`). */
  baseUrl: string;
  /** Returns the current JWT (from Better Auth's `/api/auth/token`), or null when signed out. */
  getToken: () => string | null | undefined | Promise<string | null | undefined>;
  /** A custom fetch (tests, proxies); defaults to the global one. */
  fetch?: typeof fetch;
}

/** Sends after a lost answer: up to this many tries in all, 250 ms apart then doubling. */
export const SDK_MAX_ATTEMPTS = 3;

/** No answer at all (network, reset, timeout) or a 503: the server may have done it, or not yet. */
const answerLost = (error: TRPCClientErrorLike<AppRouter>): boolean =>
  error.data === undefined || error.data === null || error.data.code === 'SERVICE_UNAVAILABLE';

/**
 * Every `task.create` gets an idempotency key (unless given one), and reads and keyed creates whose
 * answer was lost are sent again with the same input, so a retry never makes a second task.
 */
export function createApiClient({ baseUrl, getToken, fetch }: ApiClientOptions) {
  return createTRPCClient<AppRouter>({
    links: [
      idempotentCreateLink(),
      retryLink({
        retry: ({ op, error, attempts }) =>
          attempts < SDK_MAX_ATTEMPTS && answerLost(error) && isSafeToRetry(op),
        retryDelayMs: (attempt) => 250 * 2 ** attempt,
      }),
      bearerBatchLink({ baseUrl, getToken, fetch }),
    ],
  });
}

export type ApiClient = ReturnType<typeof createApiClient>;
