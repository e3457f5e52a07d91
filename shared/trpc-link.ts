/**
 * The HTTP link both TypeScript clients use (the web client and `server/sdk/api-client.ts`): our
 * tRPC URL, batches of at most TRPC_MAX_BATCH calls, and the JWT as `Authorization: Bearer`.
 */
import { httpBatchLink, type Operation, type TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { TRPC_MAX_BATCH, TRPC_PATH } from './api';

/** The tRPC endpoint under a server's base URL, with or without a trailing slash. */
export const trpcUrl = (baseUrl: string): string => `${baseUrl.replace(/\/+$/, '')}${TRPC_PATH}`;

export interface BearerBatchLinkOptions {
  /** The server's base URL, e.g. `https://tasks.example.com`. */
  baseUrl: string;
  /** The JWT to send (read once per HTTP request), or null to send none. */
  getToken: () => string | null | undefined | Promise<string | null | undefined>;
  /** A custom fetch (tests, proxies); defaults to the global one. */
  fetch?: typeof fetch | undefined;
  /** Hears which token each batch's operations were sent with. */
  onSend?: (ops: readonly Operation[], token: string | null) => void;
}

/** For any router without a transformer (ours sends plain JSON). */
export function bearerBatchLink(opts: BearerBatchLinkOptions): TRPCLink<AnyTRPCRouter> {
  return httpBatchLink({
    url: trpcUrl(opts.baseUrl),
    maxItems: TRPC_MAX_BATCH,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    async headers({ opList }) {
      const token = (await opts.getToken()) ?? null;
      opts.onSend?.(opList, token);
      return token ? { authorization: `Bearer ${token}` } : {};
    },
  });
}
