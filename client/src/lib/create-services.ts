import { matchMutation, MutationCache, QueryClient } from '@tanstack/react-query';
import { retryLink, TRPCClientError } from '@trpc/client';
import { getMutationKey, getQueryKey } from '@trpc/react-query';
import { bearerBatchLink, idempotentCreateLink, isSafeToRetry } from '../../../shared/trpc-link';
import { createAppAuthClient } from './auth-client';
import { retryWhenOffline, seedOnlineStatus } from './offline/online-status';
import { createOwnVersions } from './offline/own-versions';
import { createSession } from './session';
import { trpc } from './trpc';

const SESSION_CHANNEL = 'tasks-session';

/** Error codes that retrying cannot fix: the server answered and meant it. */
const FINAL_CODES = new Set([
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'TOO_MANY_REQUESTS',
]);

export const errorCode = (error: unknown): string | undefined =>
  error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;

/**
 * Everything the app talks to the server with: the auth client, the in-memory session
 * (token), the tRPC client and the query cache. Tests pass a fake `fetch`.
 */
export function createServices(opts: {
  baseURL: string;
  fetch?: typeof fetch;
  /** Open the live-update stream (task.changes); component tests leave it off. */
  live?: boolean;
}) {
  const fetchImpl = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const authClient = createAppAuthClient(opts.baseURL, opts.fetch);

  async function fetchToken(): Promise<string | null> {
    const { data, error } = await authClient.token();
    if (data?.token) return data.token;
    if (error && (error.status === 401 || error.status === 403)) return null;
    throw new Error(error?.message || 'Could not reach the server');
  }

  const session = createSession({
    fetchToken,
    // At page load a signed-out visitor is normal: `get-session` answers 200 with no session
    // (where `/token` would log a 401 in the console), and when there is one, the JWT plugin
    // sends the token in its `set-auth-jwt` header, so it still takes a single request.
    async probeToken() {
      let token: string | null = null;
      const { data, error } = await authClient.getSession({
        fetchOptions: {
          onSuccess: (context) => {
            token = context.response.headers.get('set-auth-jwt');
          },
        },
      });
      if (error) {
        if (error.status === 401 || error.status === 403) return null;
        throw new Error(error.message || 'Could not reach the server');
      }
      if (!data) return null;
      return token ?? fetchToken();
    },
  });

  const ownVersions = createOwnVersions();
  const queryClient = new QueryClient({
    // Runs before the mutation's own onSuccess, so before the next task change in the scope starts.
    mutationCache: new MutationCache({
      onSuccess(data, _variables, _context, mutation) {
        if (matchMutation({ mutationKey: getMutationKey(trpc.task.update), exact: true }, mutation)) {
          ownVersions.record(data);
        }
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        retry: (failures, error) => !FINAL_CODES.has(errorCode(error) ?? '') && failures < 2,
      },
      // Never retried after an answer or while online (a second send could apply twice); a change
      // cut off by the connection dropping pauses until it is back, then is sent again (D36).
      mutations: { retry: retryWhenOffline },
    },
  });
  seedOnlineStatus();
  // Task changes run one at a time, in order (also when replayed after reconnecting), so each is
  // sent once the one before has its answer: a tick and then an edit of the same task queued
  // offline must not make the edit a CONFLICT with the tick (createOwnVersions, D36).
  queryClient.setMutationDefaults(getQueryKey(trpc.task), { scope: { id: 'task-changes' } });

  /** The token each operation was sent with, so a refusal invalidates exactly that one. */
  const sentWith = new WeakMap<object, string | null>();

  const trpcClient = trpc.createClient({
    links: [
      // A token can expire between being read and being checked (clock skew, a sleeping
      // laptop): on UNAUTHORIZED, renew once and try again before giving up.
      // Every add carries an idempotency key, chosen once here, so a retry below cannot add twice.
      idempotentCreateLink(),
      ownVersions.link(),
      retryLink({
        retry({ error, attempts, op }) {
          const code = errorCode(error);
          if (code === 'UNAUTHORIZED') {
            if (attempts > 1) return false;
            session.invalidate(sentWith.get(op.context) ?? undefined);
            return true;
          }
          // An add whose answer was lost (no response, or 503) is sent again with the same key;
          // reads are retried by React Query, and other writes never (a toggle would undo itself).
          const lost = code === undefined || code === 'SERVICE_UNAVAILABLE';
          return lost && op.type === 'mutation' && isSafeToRetry(op) && attempts < 3;
        },
        retryDelayMs: (attempt) => 300 * attempt,
      }),
      bearerBatchLink({
        baseUrl: opts.baseURL,
        fetch: fetchImpl,
        getToken: () => session.getToken().catch(() => null),
        onSend(ops, token) {
          for (const op of ops) sentWith.set(op.context, token);
        },
      }),
    ],
  });

  // Other tabs of the app hear about sign-in and sign-out at once, instead of at their next
  // token renewal: signing out in one tab empties every tab.
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(SESSION_CHANNEL);
  channel?.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (event.data === 'signed-out') {
      session.clear();
      queryClient.clear();
    } else if (event.data === 'signed-in') {
      void session.renew().catch(() => undefined);
    }
  });

  return {
    baseURL: opts.baseURL,
    fetch: fetchImpl,
    live: opts.live ?? true,
    authClient,
    session,
    queryClient,
    trpcClient,
    /** Tells the app's other tabs that this one signed in or out. */
    broadcast: (event: 'signed-in' | 'signed-out') => channel?.postMessage(event),
    /** Stops timers and the cross-tab channel (tests, hot reload). */
    dispose() {
      session.dispose();
      channel?.close();
    },
  };
}

export type Services = ReturnType<typeof createServices>;
