/**
 * Live updates across instances (decisions D33). The trigger on `task` writes each change to the
 * `task_event` outbox in the changing transaction; after the commit, the instance that made the
 * change NOTIFYs `taskmanager_task_events` with the user id (`announce`, not awaited: not on the
 * request's path, and outside the transaction, whose commit a NOTIFY would serialize with every
 * other). Each instance LISTENs once; a notification wakes that user's open streams on this
 * instance, and each stream reads the outbox after the last id it sent (so a wake-up that is
 * lost or folded costs at most a delay: a sweep rereads every stream every SWEEP_INTERVAL_MS,
 * and a reconnect resumes from its `lastEventId`). Streams also end when their token
 * expires, when a revocation applied here (sign-out, revoked API key, deleted account) covers
 * their token, and when the server shuts down.
 */
import { TRPCError } from '@trpc/server';
import { sql } from 'drizzle-orm';
import type { TaskChangeEvent } from '../../shared/task-events';
import type { RevocationClaims } from '../auth/revocation';
import type { TokenUser } from '../auth/verify-jwt';
import type { DatabaseHandle } from '../db/client';
import { toRecord, type TaskRecord } from '../db/task-queries';
import type { Logger } from '../logger';

/** The NOTIFY channel `announce` sends on and every instance LISTENs to. */
export const TASK_EVENTS_CHANNEL = 'taskmanager_task_events';

/** Outbox rows read per query; a stream further behind reads again at once. */
export const EVENT_BATCH = 200;

/**
 * Every stream rereads this often even without a notification: a change made by a path that does
 * not announce (SQL from a script, the cascade of an account deletion) or whose announcement was
 * lost (a crash right after the commit) still arrives. One indexed read per open stream.
 */
export const SWEEP_INTERVAL_MS = 15_000;

const SWEEP_TICK_MS = 1_000;

/**
 * How long announcements gather before going out: one per user per window (bench/RESULTS.md:
 * one NOTIFY statement per write cost up to 0.4x of toggle throughput over HTTP).
 */
export const ANNOUNCE_WINDOW_MS = 25;

/** setTimeout's ceiling; a token living longer is rechecked then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const SET_CONTEXT = "select set_config('role', $1, true), set_config('app.user_id', $2, true)";

/** As the RLS role: one user's outbox after `after`, with the task as it is now (null once gone). */
const READ_EVENTS = `select e.id::text, e.type, e.task_id, e.version, e.txid,
    t.id, t.user_id, t.title, t.description, t.completed, t.version, t.created_at, t.updated_at, t.due_on, t.position
  from task_event e left join task t on t.id = e.task_id and t.deleted_at is null
  where e.user_id = $1 and e.id > $2::bigint
  order by e.id
  limit $3`;

const LATEST_EVENT = 'select coalesce(max(id), 0)::text from task_event where user_id = $1';

/**
 * As the owner, no user data: the oldest id still kept and the last one handed out. A resume
 * from before the oldest may have lost purged events.
 */
const RETAINED_RANGE = `select (select min(id) from task_event)::text,
  (select case when is_called then last_value else 0 end from task_event_id_seq)::text`;

const PURGE = `delete from task_event where created_at < now() - make_interval(secs => $1::int)`;

/** An event as a stream sends it: the outbox id (SSE `id`) and the payload. */
export interface TrackedChange {
  id: string;
  event: TaskChangeEvent;
}

export interface ChangeBatch {
  changes: TrackedChange[];
  /** The id to read after next time (advances past skipped rows too). */
  last: bigint;
  /** The batch was full: read again before waiting. */
  more: boolean;
}

/** One open stream's wake-ups and ending. */
export interface ChangeStream {
  /** Call before reading the outbox: a wake-up that comes during the read is not lost. */
  arm(): void;
  /** Resolves true on a wake-up since `arm`, false once the client went away; rejects once ended. */
  next(): Promise<boolean>;
  close(): void;
}

export interface TaskChangeFeedOptions {
  database: Pick<DatabaseHandle, 'pipeline' | 'listen' | 'appRole' | 'db'>;
  log: Logger;
  maxStreamsPerUser: number;
  retentionSeconds: number;
  /** The revocation check requests use; streams recheck with it when told of a revocation. */
  isRevoked?: (claims: RevocationClaims) => boolean;
  /** How often every stream rereads without a notification (SWEEP_INTERVAL_MS by default). */
  sweepIntervalMs?: number;
  /** How often to purge expired events; defaults to a quarter of the retention, at most a minute. */
  purgeIntervalMs?: number;
  now?: () => number;
}

interface OpenStream {
  user: TokenUser;
  woken: boolean;
  ended: TRPCError | undefined;
  waiter: { resolve: (woken: boolean) => void; reject: (error: TRPCError) => void } | undefined;
  wake(): void;
  end(error: TRPCError): void;
}

const ended = {
  expired: () =>
    new TRPCError({ code: 'UNAUTHORIZED', message: 'The token expired; reconnect with a fresh one' }),
  revoked: () => new TRPCError({ code: 'UNAUTHORIZED', message: 'Authentication required' }),
  shutdown: () =>
    new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'The server is restarting; reconnect shortly' }),
};

/** The outbox rows of one read, made into events: consecutive deletes of one transaction are one `cleared`. */
function toChanges(rows: unknown[][]): TrackedChange[] {
  const changes: TrackedChange[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] ?? [];
    const [id, type, taskId, version, txid] = row;
    if (type === 'deleted') {
      let j = i;
      while (j + 1 < rows.length && rows[j + 1]?.[1] === 'deleted' && rows[j + 1]?.[4] === txid) j++;
      if (j > i) {
        const group = rows.slice(i, j + 1);
        changes.push({
          id: String(group.at(-1)?.[0]),
          event: { type: 'cleared', ids: group.map((r) => String(r[2])) },
        });
        i = j;
      } else {
        changes.push({
          id: String(id),
          event: { type: 'deleted', id: String(taskId), version: Number(version) },
        });
      }
      continue;
    }
    // Created or updated, and deleted since: its `deleted` row follows, nothing to send now.
    if (row[5] === null || row[5] === undefined) continue;
    const task: TaskRecord = toRecord(row.slice(5));
    changes.push({
      id: String(id),
      event: type === 'created' ? { type: 'created', task } : { type: 'updated', task },
    });
  }
  return changes;
}

export function createTaskChangeFeed(options: TaskChangeFeedOptions) {
  const { database, log, maxStreamsPerUser, now = Date.now } = options;
  const streams = new Map<string, Set<OpenStream>>();
  let stopListening: (() => Promise<void>) | undefined;
  let purgeTimer: NodeJS.Timeout | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const asUser = async (userId: string, sql: string, params: unknown[]) => {
    const [, rows] = await database.pipeline([
      { sql: SET_CONTEXT, params: [database.appRole, userId] },
      { sql, params },
    ]);
    return rows ?? [];
  };

  function wakeUser(userId: string): void {
    for (const stream of streams.get(userId) ?? []) stream.wake();
  }

  function wakeAll(): void {
    for (const set of streams.values()) for (const stream of set) stream.wake();
  }

  async function purge(): Promise<void> {
    await database.pipeline([{ sql: PURGE, params: [options.retentionSeconds] }]);
  }

  /**
   * The announcements of ANNOUNCE_WINDOW_MS go out as one statement, one NOTIFY per user: however
   * many writes, an instance sends at most 1000 / ANNOUNCE_WINDOW_MS statements a second, and each
   * listening instance handles one notification per user and window.
   */
  const pendingAnnouncements = new Set<string>();
  function flushAnnouncements(): void {
    const users = [...pendingAnnouncements];
    pendingAnnouncements.clear();
    database.db
      .execute(
        sql`select pg_notify(${TASK_EVENTS_CHANNEL}, u) from unnest(array[${sql.join(
          users.map((u) => sql`${u}`),
          sql`, `,
        )}]::text[]) as u`,
      )
      .catch((err: unknown) => log.warn({ err }, 'task change announcement failed'));
  }

  /** Throws what `open` would refuse with: shutting down, or the user's streams at the limit. */
  function checkCapacity(userId: string): void {
    if (stopped) throw ended.shutdown();
    if ((streams.get(userId)?.size ?? 0) >= maxStreamsPerUser) {
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: `Too many live streams open for this account (at most ${maxStreamsPerUser}); close a tab and retry`,
      });
    }
  }

  return {
    /** LISTENs (once per instance) and starts the purge timer. */
    async start(): Promise<void> {
      stopListening = await database.listen(
        TASK_EVENTS_CHANNEL,
        (userId) => wakeUser(userId),
        // After a reconnection, notifications sent meanwhile are lost: every stream rereads.
        wakeAll,
      );
      const interval =
        options.purgeIntervalMs ?? Math.min(60_000, Math.floor((options.retentionSeconds * 1000) / 4));
      purgeTimer = setInterval(() => {
        purge().catch((err: unknown) => log.warn({ err }, 'task event purge failed'));
      }, interval);
      purgeTimer.unref();
      // Staggered: each second a slice of the streams rereads, so the database never meets a
      // burst of one read per open stream (which delayed live events by seconds in bench/live.ts).
      const sweepMs = options.sweepIntervalMs ?? SWEEP_INTERVAL_MS;
      const slices = Math.max(1, Math.round(sweepMs / SWEEP_TICK_MS));
      let tick = 0;
      sweepTimer = setInterval(
        () => {
          const slice = tick++ % slices;
          let i = 0;
          for (const set of streams.values())
            for (const stream of set) if (i++ % slices === slice) stream.wake();
        },
        Math.min(sweepMs, SWEEP_TICK_MS),
      );
      sweepTimer.unref();
    },

    /**
     * Tells every instance (this one included) that `userId`'s tasks changed: call after the
     * change committed. Not awaited by callers; a failure is logged and healed by the sweep.
     */
    announce(userId: string): void {
      pendingAnnouncements.add(userId);
      if (pendingAnnouncements.size === 1) setTimeout(flushAnnouncements, ANNOUNCE_WINDOW_MS).unref();
    },

    /** Ends every open stream (clients reconnect elsewhere) and stops listening. */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(purgeTimer);
      clearInterval(sweepTimer);
      for (const set of streams.values()) for (const stream of set) stream.end(ended.shutdown());
      await stopListening?.().catch(() => {});
      stopListening = undefined;
    },

    /** Rechecks this user's streams after a revocation (see revocation.ts `onRevoked`). */
    revoked(userId: string): void {
      const { isRevoked } = options;
      if (!isRevoked) return;
      for (const stream of streams.get(userId) ?? []) {
        const token = stream.user.token;
        if (token && isRevoked({ sub: stream.user.id, sid: token.sid, iat: token.iat })) {
          stream.end(ended.revoked());
        }
      }
    },

    checkCapacity,

    /**
     * Registers a stream for `user` (TOO_MANY_REQUESTS past the per-user limit) that ends with
     * UNAUTHORIZED when the token expires or is revoked, and stops waiting when `signal` aborts.
     */
    open(user: TokenUser, signal: AbortSignal | undefined): ChangeStream {
      checkCapacity(user.id);
      let set = streams.get(user.id);
      if (!set) streams.set(user.id, (set = new Set()));
      const owner = set;

      let expiry: NodeJS.Timeout | undefined;
      const stream: OpenStream = {
        user,
        woken: false,
        ended: undefined,
        waiter: undefined,
        wake() {
          stream.woken = true;
          const waiter = stream.waiter;
          stream.waiter = undefined;
          waiter?.resolve(true);
        },
        end(error) {
          if (stream.ended) return;
          stream.ended = error;
          const waiter = stream.waiter;
          stream.waiter = undefined;
          waiter?.reject(error);
        },
      };
      const onAbort = () => {
        const waiter = stream.waiter;
        stream.waiter = undefined;
        waiter?.resolve(false);
      };
      signal?.addEventListener('abort', onAbort, { once: true });

      const scheduleExpiry = () => {
        if (!user.token) return;
        const left = user.token.exp * 1000 - now();
        if (left <= 0) return stream.end(ended.expired());
        expiry = setTimeout(scheduleExpiry, Math.min(left, MAX_TIMER_MS));
        expiry.unref();
      };
      scheduleExpiry();
      owner.add(stream);

      return {
        arm() {
          stream.woken = false;
        },
        next() {
          if (stream.ended) return Promise.reject(stream.ended);
          if (signal?.aborted) return Promise.resolve(false);
          if (stream.woken) return Promise.resolve(true);
          return new Promise<boolean>((resolve, reject) => {
            stream.waiter = { resolve, reject };
          });
        },
        close() {
          clearTimeout(expiry);
          signal?.removeEventListener('abort', onAbort);
          owner.delete(stream);
          if (owner.size === 0 && streams.get(user.id) === owner) streams.delete(user.id);
        },
      };
    },

    /** The id a new stream starts after: this user's latest event. */
    async latest(userId: string): Promise<bigint> {
      const [row] = await asUser(userId, LATEST_EVENT, [userId]);
      return BigInt(String(row?.[0] ?? '0'));
    },

    /** Whether every event after `lastEventId` is still in the outbox (else the client must refetch). */
    async canResumeFrom(lastEventId: bigint): Promise<boolean> {
      const [rows] = await database.pipeline([{ sql: RETAINED_RANGE, params: [] }]);
      const [oldest, handedOut] = rows?.[0] ?? [];
      const last = BigInt(String(handedOut ?? '0'));
      if (lastEventId > last) return false; // not an id this database gave out
      // Nothing kept: fine only if nothing was given out after it.
      if (oldest === null || oldest === undefined) return lastEventId === last;
      // Ids have gaps (rolled-back inserts), so this may ask for a refetch that was not needed.
      return lastEventId >= BigInt(String(oldest)) - 1n;
    },

    /** This user's changes after `after`, at most EVENT_BATCH outbox rows. */
    async read(userId: string, after: bigint): Promise<ChangeBatch> {
      const rows = await asUser(userId, READ_EVENTS, [userId, after.toString(), EVENT_BATCH]);
      const lastRow = rows.at(-1);
      return {
        changes: toChanges(rows),
        last: lastRow ? BigInt(String(lastRow[0])) : after,
        more: rows.length === EVENT_BATCH,
      };
    },

    purge,

    /** For tests, diagnostics and the benchmark: open streams on this instance. */
    openStreams(userId?: string): number {
      if (userId !== undefined) return streams.get(userId)?.size ?? 0;
      let total = 0;
      for (const set of streams.values()) total += set.size;
      return total;
    },
  };
}

export type TaskChangeFeed = ReturnType<typeof createTaskChangeFeed>;
