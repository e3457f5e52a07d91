import { matchMutation, MutationCache, QueryClient, type QueryKey } from '@tanstack/react-query';
import { getUntypedClient, retryLink, TRPCClientError } from '@trpc/client';
import { getMutationKey, getQueryKey } from '@trpc/react-query';
import { bearerBatchLink, idempotentCreateLink, isSafeToRetry } from '../../../shared/trpc-link';
import { createAppAuthClient } from './auth-client';
import { retryWhenOffline, seedOnlineStatus } from './offline/online-status';
import { createAuthorGate } from './offline/author-gate';
import { createKeptList, ReplayUnreachableError, type KeptList } from './offline/kept-list';
import { createOwnVersions } from './offline/own-versions';
import { createSession, readClaims } from './session';
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
 * The task changes a reload can keep and send later (D38): each is safe to send again (D36). The
 * others (`toggle`, for the SDK) are never queued by the app.
 */
const REPLAYABLE = [
  trpc.task.create,
  trpc.task.update,
  trpc.task.delete,
  trpc.task.clearCompleted,
  trpc.task.setAllCompleted,
  trpc.task.restore,
].map((procedure) => getMutationKey(procedure));

/** `[['task', 'update']]` -> `task.update`. */
const pathOf = (key: readonly unknown[] | undefined): string | undefined => {
  const [parts] = key ?? [];
  return Array.isArray(parts) ? parts.join('.') : undefined;
};
const REPLAYABLE_PATHS = new Set(REPLAYABLE.map((key) => pathOf(key)));

/** The task reads kept on the device: the lists and the counts, nothing else (no account data). */
const KEPT_READS = new Set(['task.list', 'task.counts']);
const isTaskRead = (key: QueryKey): boolean => KEPT_READS.has(pathOf(key) ?? '');

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
  // Set below, once the tRPC client exists; the cache's callbacks only run after that.
  let keptList: KeptList | null = null;
  const authorGate = createAuthorGate(session);
  const queryClient = new QueryClient({
    // Runs before the mutation's own onSuccess, so before the next task change in the scope starts.
    mutationCache: new MutationCache({
      // Who made each change, so it is never sent under another person's token (D38).
      onMutate(variables) {
        authorGate.stamp(variables);
      },
      onSuccess(data, _variables, _context, mutation) {
        if (matchMutation({ mutationKey: getMutationKey(trpc.task.update), exact: true }, mutation)) {
          ownVersions.record(data);
        }
      },
      // A change restored after a reload has no component waiting for it: say what the server
      // refused, and re-fetch once the last one is done, as `useTaskActions` does for its own.
      onError(error, variables, _context, mutation) {
        if (keptList?.isRestored(mutation)) {
          void keptList.replayFailed(pathOf(mutation.options.mutationKey) ?? '', variables, error);
        }
      },
      onSettled(_data, _error, _variables, _context, mutation) {
        if (
          keptList?.isRestored(mutation) &&
          queryClient.isMutating({ mutationKey: getQueryKey(trpc.task) }) <= 1
        ) {
          void queryClient.invalidateQueries({ queryKey: getQueryKey(trpc.task) });
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
      // Before anything is sent, a change must find its author signed in (kept lists, D38).
      authorGate.link(),
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
          for (const op of ops) {
            sentWith.set(op.context, token);
            // A change goes only under its author's token (D38); the author gate checked it
            // already, this is the last word before the request leaves.
            const author = op.context['author'];
            if (author !== undefined && (token === null || readClaims(token).userId !== author)) {
              throw new Error('This change was made by another account; it was not sent.');
            }
          }
        },
      }),
    ],
  });

  const kept = createKeptList({
    queryClient,
    session,
    ownVersions,
    trpcClient: getUntypedClient(trpcClient),
    isTaskRead,
    dehydrateOptions: {
      shouldDehydrateQuery: (query) => query.state.status === 'success' && isTaskRead(query.queryKey),
      // Paused changes only: one already sent when the tab closed either arrived or did not.
      shouldDehydrateMutation: (mutation) =>
        mutation.state.isPaused && REPLAYABLE_PATHS.has(pathOf(mutation.options.mutationKey)),
    },
  });
  keptList = kept;
  // What a change restored from the device runs (a component's own mutations bring their own
  // mutationFn): sent only with a fresh token of the person who made it.
  for (const mutationKey of REPLAYABLE) {
    const path = pathOf(mutationKey) ?? '';
    queryClient.setMutationDefaults(mutationKey, {
      mutationFn: (input: unknown) => kept.replay(path, input),
      // No token because the server is still unreachable right after the connection came back.
      retry: (failures, error) =>
        retryWhenOffline(failures, error) || (error instanceof ReplayUnreachableError && failures < 5),
    });
  }

  // Another person (or nobody) is signed in now: the changes still waiting were the previous
  // person's. Dropped at once, not in a React effect, so that TanStack, resuming paused changes
  // when the connection returns, cannot find them (D36, D38).
  let lastUser: string | null = null;
  session.subscribe(() => {
    const now = session.getSnapshot();
    const user = now.status === 'signed-in' ? now.userId : now.status === 'signed-out' ? null : lastUser;
    if (lastUser !== null && user !== lastUser) queryClient.getMutationCache().clear();
    lastUser = user;
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
    keptList: kept,
    /** Tells the app's other tabs that this one signed in or out. */
    broadcast: (event: 'signed-in' | 'signed-out') => channel?.postMessage(event),
    /** Stops timers and the cross-tab channel (tests, hot reload). */
    dispose() {
      kept.dispose();
      session.dispose();
      channel?.close();
    },
  };
}

export type Services = ReturnType<typeof createServices>;
