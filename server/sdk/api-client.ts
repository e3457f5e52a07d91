/**
 * The typed client other TypeScript services use to call the task API:
 *
 *   const api = createApiClient({ baseUrl: 'https://tasks.example.com', getToken: () => myJwt });
 *   const { items } = await api.task.list.query({ status: 'active' });
 *
 * Inputs and outputs are inferred from the server's router; nothing is restated by hand.
 */
import { createTRPCClient } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { bearerBatchLink } from '../../shared/trpc-link';
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

export function createApiClient({ baseUrl, getToken, fetch }: ApiClientOptions) {
  return createTRPCClient<AppRouter>({ links: [bearerBatchLink({ baseUrl, getToken, fetch })] });
}

export type ApiClient = ReturnType<typeof createApiClient>;
