/**
 * "Keep my list on this device" (D38): when the person chose it, their task list and the changes
 * still to be sent are kept in IndexedDB (`kept-list-store.ts`, loaded on demand), so a reload
 * offline shows the list and the changes are sent after the reload. The session decides: the
 * kept list is shown offline only as "last seen", every change waits for a fresh token of the
 * same person, and an ended session, a sign-out (any tab) or another person wipes it.
 */
import type { DehydrateOptions, Mutation, QueryClient, QueryKey } from '@tanstack/react-query';
import { onlineManager } from '@tanstack/react-query';
import { TRPCClientError, type TRPCUntypedClient } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import type { createSession } from '../session';
import type { createOwnVersions } from './own-versions';
import type * as KeptListStore from './kept-list-store';
import type { KeptOwner, KeptStore } from './kept-list-store';

/**
 * The choice itself: the id of the person who chose it on this device (an opaque id, no name or
 * email), or absent. Bound to the person, so nobody else's sign-in inherits it.
 */
const CHOICE_KEY = 'tasks.keep-list';

export interface KeptListState {
  /** The person signed in chose to keep their list on this device. */
  chosen: boolean;
  /** When the list shown was last loaded from the server (ms since the epoch). */
  lastSeenAt: number | null;
  /** Changes kept across a reload that the server refused, said in words (dismissable). */
  notes: readonly string[];
}

/** A change kept on the device was not sent: the person signed in now is not the one who made it. */
export class ReplayRefusedError extends Error {
  constructor() {
    super('This change was made by someone else on this device; it was not sent.');
    this.name = 'ReplayRefusedError';
  }
}

/** The server could not be reached for a token before a kept change: try again (retry). */
export class ReplayUnreachableError extends Error {
  constructor() {
    super('Could not reach the server to send a change made offline.');
    this.name = 'ReplayUnreachableError';
  }
}

const readChoice = (): string | null => {
  try {
    return localStorage.getItem(CHOICE_KEY);
  } catch {
    return null;
  }
};

const writeChoice = (userId: string | null): void => {
  try {
    if (userId) localStorage.setItem(CHOICE_KEY, userId);
    else localStorage.removeItem(CHOICE_KEY);
  } catch {
    // Storage refused: without the choice nothing is kept, which is the safe side.
  }
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const codeOf = (error: unknown): string | undefined =>
  error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;

const quote = (text: string) => `“${text}”`;

interface KeptListOptions {
  queryClient: QueryClient;
  session: ReturnType<typeof createSession>;
  ownVersions: ReturnType<typeof createOwnVersions>;
  trpcClient: Pick<TRPCUntypedClient<AnyTRPCRouter>, 'query' | 'mutation'>;
  /** Which queries and paused changes are kept (the task ones). */
  dehydrateOptions: DehydrateOptions;
  /** A task list or count query, whose successful fetch is "the list as last seen". */
  isTaskRead: (key: QueryKey) => boolean;
  load?: () => Promise<typeof KeptListStore>;
}

export function createKeptList(options: KeptListOptions) {
  const { queryClient, session, ownVersions } = options;
  const load = options.load ?? (() => import('./kept-list-store'));

  let state: KeptListState = { chosen: false, lastSeenAt: null, notes: [] };
  const listeners = new Set<() => void>();
  const update = (next: Partial<KeptListState>) => {
    state = { ...state, ...next };
    for (const listener of listeners) listener();
  };

  let store: Promise<KeptStore> | null = null;
  const openStore = (): Promise<KeptStore> => {
    store ??= load().then(({ openKeptStore }) =>
      openKeptStore({ queryClient, dehydrateOptions: options.dehydrateOptions }),
    );
    return store;
  };

  /** The person whose list this tab shows from, and keeps to, the device. */
  let owner: KeptOwner | null = null;
  let stopKeeping: (() => void) | null = null;

  let disposed = false;
  const startKeeping = (kept: KeptStore, who: KeptOwner) => {
    owner = who;
    if (disposed) return;
    stopKeeping = kept.keep(
      who,
      () => ({ lastSeenAt: state.lastSeenAt, ownSteps: ownVersions.export() }),
      () => readChoice() === who.userId,
    );
  };

  /** Wipes the store and forgets the choice: sign-out, an ended session, "don't keep". */
  async function forget(): Promise<void> {
    writeChoice(null);
    owner = null;
    stopKeeping?.();
    stopKeeping = null;
    ownVersions.reset();
    update({ chosen: false, notes: [] });
    await (await openStore()).wipe();
  }

  /** Brings the kept queries and paused changes back; the changes are sent once the server agrees. */
  async function restore(kept: KeptStore, record: Awaited<ReturnType<KeptStore['read']>>) {
    if (!record) return;
    await kept.restore(record);
    ownVersions.import(record.ownSteps);
    update({ lastSeenAt: record.lastSeenAt });
  }

  /** Brings storage in line with the session as it is now (run one at a time, after each change). */
  async function settle(): Promise<void> {
    if (disposed) return;
    const now = session.getSnapshot();
    if (now.status === 'loading') return;
    const choice = readChoice();
    if (now.status === 'signed-out') {
      if (choice || store) await forget();
      return;
    }
    if (!choice) {
      // Withdrawn (here or in another tab, which may have wiped before this tab's last write).
      if (store) await forget();
      return;
    }
    if (now.status === 'signed-in' && now.userId !== choice) {
      // Someone else is signed in now: what the device kept for the other person goes.
      await forget();
      return;
    }
    const kept = await openStore();
    if (session.getSnapshot() !== now) return; // a later settle is queued
    if (now.status === 'unavailable') {
      // Opened without the server: show the kept list of the person last signed in, as theirs,
      // until the server says who is signed in (the session is checked again on reconnect).
      if (owner) return;
      const record = await kept.read();
      if (!record || session.getSnapshot() !== now) return;
      if (record.userId !== choice) {
        await forget();
        return;
      }
      await restore(kept, record);
      startKeeping(kept, { userId: record.userId, email: record.email });
      update({ chosen: true });
      session.restoreFromDevice(record);
      return;
    }
    update({ chosen: true });
    if (owner?.userId === now.userId) {
      if (!stopKeeping) startKeeping(kept, owner);
      if (!now.fromDevice && onlineManager.isOnline()) void queryClient.resumePausedMutations();
      return;
    }
    // Confirmed by the server: the kept list is restored only if it is this person's.
    const record = await kept.read();
    if (session.getSnapshot() !== now) return;
    if (record?.userId === now.userId) {
      await restore(kept, record);
      startKeeping(kept, { userId: now.userId, email: now.email });
      if (onlineManager.isOnline()) void queryClient.resumePausedMutations();
    } else {
      if (record) await kept.wipe();
      startKeeping(kept, { userId: now.userId, email: now.email });
    }
  }

  let queue: Promise<void> = Promise.resolve();
  const enqueue = (): Promise<void> => {
    queue = queue.then(settle).catch(() => undefined);
    return queue;
  };

  // Chosen on this device: fetch the storage code while the session is being checked.
  if (readChoice()) void openStore().catch(() => undefined);

  session.subscribe(() => {
    const now = session.getSnapshot();
    // At once, not in the queue: nothing of another person (or of nobody) is written as theirs.
    if (owner && !(now.status === 'signed-in' && now.userId === owner.userId)) {
      stopKeeping?.();
      stopKeeping = null;
      owner = null;
      update({ chosen: false, notes: [] });
    }
    void enqueue();
  });

  // Another tab withdrew or changed the choice (a sign-in without the tick, a sign-out).
  const onStorage = (event: StorageEvent) => {
    if (event.key === CHOICE_KEY || event.key === null) void enqueue();
  };
  if (typeof window !== 'undefined') window.addEventListener('storage', onStorage);

  queryClient.getQueryCache().subscribe((event) => {
    if (
      event.type === 'updated' &&
      event.action.type === 'success' &&
      !event.action.manual &&
      options.isTaskRead(event.query.queryKey)
    ) {
      update({ lastSeenAt: event.query.state.dataUpdatedAt });
    }
  });

  return {
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getSnapshot: (): KeptListState => state,

    /** Finds out what the device keeps (page load); runs again at each session change. */
    start: (): Promise<void> => enqueue(),

    /**
     * The choice of the person signed in (sign-in form, after signing in; account page). Off
     * wipes what was kept, also when nobody is signed in (the sign-in form, before signing in).
     */
    async choose(on: boolean): Promise<void> {
      const now = session.getSnapshot();
      if (on && now.status === 'signed-in' && !now.fromDevice) {
        writeChoice(now.userId);
        await enqueue();
      } else if (!on && (readChoice() || store)) {
        await forget();
      }
    },

    /** Stops writing (tests, hot reload); what is kept stays, as at a reload. */
    dispose(): void {
      disposed = true;
      if (typeof window !== 'undefined') window.removeEventListener('storage', onStorage);
      stopKeeping?.();
      stopKeeping = null;
      listeners.clear();
    },

    /**
     * Sends a change restored from the device: only with a fresh token from the server, and only
     * if it names the person who made the change.
     */
    async replay(path: string, input: unknown): Promise<unknown> {
      const who = owner;
      if (!who) throw new ReplayRefusedError();
      let token: string | null;
      try {
        token = await session.getToken();
      } catch {
        throw new ReplayUnreachableError();
      }
      const now = session.getSnapshot();
      if (!token || now.status !== 'signed-in' || now.fromDevice || now.userId !== who.userId) {
        throw new ReplayRefusedError();
      }
      return options.trpcClient.mutation(path, input, { context: { replayFor: who.userId } });
    },

    /** A restored change the server refused: say so, unless it turns out to be saved already. */
    async replayFailed(path: string, variables: unknown, error: unknown): Promise<void> {
      const who = owner;
      if (!who || error instanceof ReplayRefusedError) return;
      const code = codeOf(error);
      // UNAUTHORIZED: the session ended, and the sign-in page says so.
      if (code === 'UNAUTHORIZED' || !isRecord(variables)) return;
      if (path === 'task.delete' && code === 'NOT_FOUND') return;
      let note = 'A change you made offline couldn’t be saved.';
      if (code === 'NOT_FOUND') note = 'A task you changed offline had been deleted somewhere else.';
      if (path === 'task.update' && code === 'CONFLICT' && typeof variables.id === 'string') {
        const latest: unknown = await options.trpcClient
          .query('task.get', { id: variables.id })
          .catch(() => null);
        if (isRecord(latest) && typeof latest.title === 'string') {
          const sent = (['title', 'description', 'completed'] as const).filter((k) => k in variables);
          // Replayed after a first send that did arrive: it was saved.
          if (sent.every((k) => latest[k] === variables[k])) return;
          note = `${quote(latest.title)} was changed somewhere else while you were offline, so your edit wasn’t saved.${
            typeof variables.title === 'string' ? ` Your title was ${quote(variables.title)}.` : ''
          }`;
        }
      }
      const now = session.getSnapshot();
      if (owner !== who || now.status !== 'signed-in' || now.userId !== who.userId) return;
      update({ notes: [...state.notes, note] });
    },

    dismissNote(index: number): void {
      update({ notes: state.notes.filter((_, i) => i !== index) });
    },

    /** Whether a mutation was restored from the device (sent by `replay`). */
    isRestored: (mutation: Mutation<unknown, unknown, unknown, unknown>): boolean =>
      isRecord(mutation.meta) && mutation.meta['restored'] === true,
  };
}

export type KeptList = ReturnType<typeof createKeptList>;
