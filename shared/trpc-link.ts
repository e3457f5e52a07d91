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

/** A random UUID, also where `crypto.randomUUID` is missing (a page served over plain http). */
export function randomUuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40; // version 4
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Gives every `task.create` an idempotency key unless the caller chose one. Placed before a
 * `retryLink`, so a retry of a create whose answer was lost sends the same key and the server
 * returns the task it already made instead of a second one.
 */
export function idempotentCreateLink(): TRPCLink<AnyTRPCRouter> {
  return () =>
    ({ op, next }) =>
      next(
        op.type === 'mutation' && op.path === 'task.create' && isRecord(op.input) && !op.input.idempotencyKey
          ? { ...op, input: { ...op.input, idempotencyKey: randomUuid() } }
          : op,
      );
}

/**
 * Calls safe to send again when their answer was lost (no response, or 503): reads, and a create
 * carrying an idempotency key. Never other writes: a second toggle would undo the first.
 */
export function isSafeToRetry(op: Pick<Operation, 'type' | 'path' | 'input'>): boolean {
  if (op.type === 'query') return true;
  return op.path === 'task.create' && isRecord(op.input) && typeof op.input.idempotencyKey === 'string';
}
