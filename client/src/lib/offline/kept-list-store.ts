/**
 * The person's task list and their changes still to be sent, kept in IndexedDB when they chose
 * "Keep my list on this device" (D38). Loaded on demand (`import()`), so a person who did not
 * choose it never downloads it. Holds no token, password or cookie: only task queries, paused task
 * changes, the user id and email, and the version steps of `own-versions.ts`.
 */
import {
  persistQueryClientRestore,
  persistQueryClientSave,
  persistQueryClientSubscribe,
  type PersistedClient,
  type Persister,
} from '@tanstack/query-persist-client-core';
import type { DehydrateOptions, QueryClient } from '@tanstack/react-query';
import { clear, createStore, get, set } from 'idb-keyval';
import type { OwnVersionSteps } from './own-versions';

const DB_NAME = 'tasks-offline';
const STORE_NAME = 'kept';
const KEY = 'list';

/**
 * Bump when the shape of a task, of the task queries or of a change's input changes: a kept list
 * from an older shape is then discarded. Not the build: a deployment must not drop changes queued
 * offline (the service worker takes over at the next load).
 */
export const KEPT_LIST_BUSTER = 'tasks-1';

/** Never longer than a session lives (Better Auth's default, 7 days): an older list is dropped. */
export const KEPT_LIST_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

export interface KeptOwner {
  userId: string;
  email: string;
}

export interface KeptRecord extends KeptOwner {
  /** When the list was last loaded from the server (ms since the epoch), for the banner. */
  lastSeenAt: number | null;
  ownSteps: OwnVersionSteps;
  client: PersistedClient;
}

export interface KeptStoreOptions {
  queryClient: QueryClient;
  /** Which queries and paused changes are kept: the task ones only. */
  dehydrateOptions: DehydrateOptions;
}

const isFresh = (record: KeptRecord): boolean =>
  record.client.buster === KEPT_LIST_BUSTER && Date.now() - record.client.timestamp <= KEPT_LIST_MAX_AGE_MS;

export function openKeptStore({ queryClient, dehydrateOptions }: KeptStoreOptions) {
  const db = createStore(DB_NAME, STORE_NAME);
  // Every read, write and wipe runs one after the other, so a write already under way can never
  // land after the wipe that follows it.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = chain.then(task);
    chain = next.catch(() => undefined);
    return next;
  };
  let stopKeeping: (() => void) | null = null;

  const wipe = (): Promise<void> => {
    stopKeeping?.();
    stopKeeping = null;
    return serial(() => clear(db));
  };

  return {
    /** The kept list, if there is one that is neither too old nor of an older shape (else wiped). */
    async read(): Promise<KeptRecord | null> {
      const record = await serial(() => get<KeptRecord>(KEY, db));
      if (!record) return null;
      if (isFresh(record)) return record;
      await wipe();
      return null;
    },

    /** Puts the kept queries and paused changes into the cache; the changes are marked `restored`. */
    restore(record: KeptRecord): Promise<void> {
      const persister: Persister = {
        persistClient: async () => undefined,
        restoreClient: async () => record.client,
        removeClient: wipe,
      };
      return persistQueryClientRestore({
        queryClient,
        persister,
        maxAge: KEPT_LIST_MAX_AGE_MS,
        buster: KEPT_LIST_BUSTER,
        hydrateOptions: { defaultOptions: { mutations: { meta: { restored: true } } } },
      });
    },

    /**
     * Keeps the owner's task queries and paused changes from now on (at once, then after each
     * change to the cache; writes in a burst collapse into the latest). Returns how to stop.
     */
    keep(
      owner: KeptOwner,
      extra: () => Pick<KeptRecord, 'lastSeenAt' | 'ownSteps'>,
      /** Checked before each write: the choice can be withdrawn in another tab. */
      allowed: () => boolean,
    ): () => void {
      stopKeeping?.();
      let stopped = false;
      let latest: PersistedClient | null = null;
      let writing = false;
      const persister: Persister = {
        async persistClient(client) {
          if (stopped) return;
          latest = client;
          if (writing) return;
          writing = true;
          try {
            while (latest && !stopped && allowed()) {
              const record: KeptRecord = { ...owner, ...extra(), client: latest };
              latest = null;
              await serial(() => set(KEY, record, db));
            }
          } catch {
            // Storage full or refused (private mode): the list is simply not kept; the app works on.
          } finally {
            writing = false;
          }
        },
        restoreClient: async () => undefined,
        removeClient: async () => undefined,
      };
      const props = { queryClient, persister, buster: KEPT_LIST_BUSTER, dehydrateOptions };
      const unsubscribe = persistQueryClientSubscribe(props);
      void persistQueryClientSave(props);
      const stop = () => {
        stopped = true;
        unsubscribe();
      };
      stopKeeping = stop;
      return stop;
    },

    /** Stops keeping and empties the store (sign-out, an ended session, another person). */
    wipe,
  };
}

export type KeptStore = ReturnType<typeof openKeptStore>;
