import {
  and,
  asc,
  desc,
  eq,
  fillPlaceholders,
  gt,
  inArray,
  isNotNull,
  isNull,
  ne,
  sql,
  type SQL,
} from 'drizzle-orm';
import { searchWords, type TaskDueView, type TaskStatus } from '../../shared/task';
import type { Database, DatabaseHandle, Statement } from './client';
import { freshPositions, positionBetween, POSITION_RESPACE_LENGTH } from './task-position';
import { task, type TaskRow } from './task-schema';

/** The columns a caller may see, listed on purpose so a future internal column never leaks. */
const taskColumns = {
  id: task.id,
  userId: task.userId,
  title: task.title,
  description: task.description,
  completed: task.completed,
  version: task.version,
  createdAt: task.createdAt,
  updatedAt: task.updatedAt,
  dueOn: task.dueOn,
  position: task.position,
};

/** A task as procedures return it: timestamps are ISO-8601 strings (D3), made without a `Date`. */
export type TaskRecord = {
  [K in keyof typeof taskColumns]: K extends 'createdAt' | 'updatedAt' ? string : TaskRow[K];
};

/** Where a page of a manual-order list ended: the last task's position key and id. */
export interface TaskCursor {
  position: string;
  id: string;
}

/** A task in "Recently deleted" (D40): when it was deleted, and when the purge removes it for good. */
export type DeletedTaskRecord = TaskRecord & { deletedAt: string; purgeAt: string };

/** Where a page of "Recently deleted" ended: the last task's deletion time and id. */
export interface DeletedCursor {
  deletedAt: string;
  id: string;
}

/** Where a move puts a task (D37): see `moveTaskInput` in shared/task.ts. */
export interface TaskMove {
  id: string;
  after: string | null;
  before?: string | null | undefined;
  status: TaskStatus;
}

/**
 * How a move ended: `missing` (the task is not a live task of the caller: explain with
 * `findOwner`), `stale` (a neighbour is gone, or not adjacent any more in that list).
 */
export type MoveResult =
  { status: 'moved'; task: TaskRecord; respaced: boolean } | { status: 'missing' } | { status: 'stale' };

/** Where a page of a due view ended: the last task's due date and id. */
export interface DueCursor {
  dueOn: string;
  id: string;
}

/** What `update` may change; everything else (owner, id, version, timestamps) is the server's. */
export type TaskChanges = Partial<
  Pick<typeof task.$inferInsert, 'title' | 'description' | 'completed' | 'dueOn'>
>;

/** Every change to a task: a new version, so a stale `update` is a CONFLICT, and a new updatedAt. */
const bumpVersion = { version: sql`${task.version} + 1`, updatedAt: sql`now()` };

/** What RLS reads (drizzle/0001_row_level_security.sql); both local to the transaction. */
const SET_CONTEXT = "select set_config('role', $1, true), set_config('app.user_id', $2, true)";

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** PostgreSQL's text for a UTC timestamptz(3): `2026-12-02 15:39:46.12+00`. */
const PG_UTC_TIMESTAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00$/;

/** The same instant as `Date#toISOString()` writes it; string work only when the session is in UTC. */
export function isoTimestamp(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const text = String(value);
  const utc = PG_UTC_TIMESTAMP.exec(text);
  if (utc) return `${utc[1]}T${utc[2]}.${(utc[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
  // Another session time zone: `+01` or `+05:30`, which Date parses once in ISO form.
  return new Date(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString();
}

/** One row of `taskColumns`, in their order, as the driver gives it. */
export const toRecord = ([
  id,
  userId,
  title,
  description,
  completed,
  version,
  createdAt,
  updatedAt,
  dueOn,
  position,
]: unknown[]): TaskRecord => ({
  id: String(id),
  userId: String(userId),
  title: String(title),
  description: description === null ? null : String(description),
  completed: completed === true,
  version: Number(version),
  createdAt: isoTimestamp(createdAt),
  updatedAt: isoTimestamp(updatedAt),
  dueOn: calendarDateText(dueOn),
  position: String(position),
});

/**
 * A `date` as `YYYY-MM-DD`. postgres.js (under drizzle) gives the text; PGlite gives a Date at UTC
 * midnight of that day, so its UTC date is the stored one (never the local one).
 */
function calendarDateText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
}

/**
 * A search as a tsquery for the `simple` configuration: every word must match, the last one as a
 * prefix (`'buy' & 'mil':*`), so results follow typing. Words hold only letters, digits and marks
 * (`searchWords`), so quoting them needs no escaping. Null when there is no word to look for.
 */
export function searchQuery(search: string | undefined): string | null {
  const words = searchWords(search ?? '');
  if (words.length === 0) return null;
  return words.map((word, i) => `'${word}'${i === words.length - 1 ? ':*' : ''}`).join(' & ');
}

/** A statement built once by drizzle with named placeholders; per call only the values change. */
const template = (query: { toSQL(): { sql: string; params: unknown[] } }) => {
  const built = query.toSQL();
  return (values: Record<string, unknown>): Statement => ({
    sql: built.sql,
    params: fillPlaceholders(built.params, values),
  });
};

const p = (name: string) => sql.placeholder(name);

export interface TaskQueryOptions {
  /** The role row-level security restricts: this database's own (server/db/app-role.ts). */
  role: string;
  /**
   * How long a deleted task stays restorable (D34); the purge job removes it after that. Default
   * `DEFAULT_DELETED_TASK_RETENTION_DAYS`.
   */
  retentionDays?: number;
}

/** Deleted tasks are restorable, and kept, this many days unless DELETED_TASK_RETENTION_DAYS says otherwise. */
export const DEFAULT_DELETED_TASK_RETENTION_DAYS = 7;

/** At most this many rows per purge statement, so one run never holds many locks or a long transaction. */
const PURGE_BATCH = 1000;

/** Live tasks only: a deleted one (D34) is invisible to every read and write but restore and purge. */
const live = isNull(task.deletedAt);

/**
 * Every statement the task procedures run. Each one carries the owner in its WHERE and runs
 * in a transaction as `appRole` (this database's own role, app-role.ts) with `app.user_id` set,
 * so PostgreSQL's row-level security hides other users' rows even from a statement that forgot
 * the filter.
 * Each returns `undefined`/`[]` when the row does not exist *or belongs to someone else*;
 * `findOwner` tells those apart afterwards.
 *
 * The hot path (D24): each statement is built once, and runs with the context-setting
 * statement through `database.pipeline`: BEGIN, set_config, the statement and COMMIT in one
 * round trip, prepared, the rows mapped without drizzle's per-call query building or `Date`s.
 */
export function createTaskQueries(
  database: Pick<DatabaseHandle, 'db' | 'pipeline'>,
  { role, retentionDays = DEFAULT_DELETED_TASK_RETENTION_DAYS }: TaskQueryOptions,
) {
  const { db } = database;
  /** Deleted at or after this instant: still restorable (and not yet purgeable). */
  const retentionStart = sql`now() - make_interval(secs => ${sql.raw(String(retentionDays * 86_400))})`;

  /**
   * Runs `fn` as the restricted role, on behalf of `userId`, in one drizzle transaction: for
   * statements off the hot path (the RLS tests run arbitrary ones through it).
   */
  const asUser = <T>(userId: string, fn: (tx: Transaction) => Promise<T>): Promise<T> =>
    db.transaction(async (tx) => {
      await tx.execute(
        sql`select set_config('role', ${role}, true), set_config('app.user_id', ${userId}, true)`,
      );
      return fn(tx);
    });

  /** Runs one statement as the restricted role on behalf of `userId`; its rows as value arrays. */
  const runAs = async (userId: string, statement: Statement): Promise<unknown[][]> => {
    const [, rows] = await database.pipeline([{ sql: SET_CONTEXT, params: [role, userId] }, statement]);
    return rows ?? [];
  };

  /**
   * The one cross-user read: who owns a task, its version and whether it is deleted, to tell 403
   * from 404 from 409.
   */
  const owner = db
    .select({
      userId: task.userId,
      version: task.version,
      deleted: sql<boolean>`${task.deletedAt} is not null`,
    })
    .from(task)
    .where(eq(task.id, p('id')))
    .prepare('task_owner');

  const owned = and(eq(task.id, p('id')), eq(task.userId, p('userId')), live);

  const getStatement = template(db.select(taskColumns).from(task).where(owned));

  /** Matches the prefix tsquery built by `searchQuery` against the generated `search` column. */
  const matchesSearch = sql`${task.search} @@ to_tsquery('simple'::regconfig, ${p('search')})`;

  /** One statement per (status, has cursor, has search): twelve, built on first use. */
  const listStatements = new Map<string, ReturnType<typeof template>>();
  const listStatement = (status: TaskStatus, withCursor: boolean, withSearch: boolean) => {
    const key = `${status}:${withCursor}:${withSearch}`;
    let statement = listStatements.get(key);
    if (!statement) {
      const conditions: SQL[] = [eq(task.userId, p('userId')), live];
      if (status !== 'all') conditions.push(eq(task.completed, status === 'completed'));
      if (withSearch) conditions.push(matchesSearch);
      if (withCursor) {
        conditions.push(
          sql`(${task.position}, ${task.id}) > (${p('cursorPosition')}::text collate "C", ${p('cursorId')}::uuid)`,
        );
      }
      // The manual order (D37), served by task_user_position_idx (a forward index scan).
      statement = template(
        db
          .select(taskColumns)
          .from(task)
          .where(and(...conditions))
          .orderBy(asc(task.position), asc(task.id))
          .limit(p('limit')),
      );
      listStatements.set(key, statement);
    }
    return statement;
  };

  /** The Today / Upcoming views: active tasks with a due date, earliest first (D35). */
  const dueStatements = new Map<string, ReturnType<typeof template>>();
  const dueStatement = (view: TaskDueView, withCursor: boolean, withSearch: boolean) => {
    const key = `${view}:${withCursor}:${withSearch}`;
    let statement = dueStatements.get(key);
    if (!statement) {
      // Spelled as the partial index's predicate, so the planner can use task_user_due_idx.
      const conditions: SQL[] = [
        eq(task.userId, p('userId')),
        sql`${task.dueOn} is not null and not ${task.completed} and ${task.deletedAt} is null`,
        view === 'today'
          ? sql`${task.dueOn} <= ${p('today')}::date`
          : sql`${task.dueOn} > ${p('today')}::date`,
      ];
      if (withCursor) {
        conditions.push(sql`(${task.dueOn}, ${task.id}) > (${p('cursorDue')}::date, ${p('cursorId')}::uuid)`);
      }
      if (withSearch) conditions.push(matchesSearch);
      statement = template(
        db
          .select(taskColumns)
          .from(task)
          .where(and(...conditions))
          .orderBy(asc(task.dueOn), asc(task.id))
          .limit(p('limit')),
      );
      dueStatements.set(key, statement);
    }
    return statement;
  };

  const createStatement = template(
    db
      .insert(task)
      .values({ userId: p('userId'), title: p('title'), description: p('description'), dueOn: p('dueOn') })
      .returning(taskColumns),
  );

  /** Inserts unless this owner already used the key; then returns nothing (a retry, or a race). */
  const createOnceStatement = template(
    db
      .insert(task)
      .values({
        userId: p('userId'),
        title: p('title'),
        description: p('description'),
        dueOn: p('dueOn'),
        idempotencyKey: p('idempotencyKey'),
      })
      .onConflictDoNothing({ target: [task.userId, task.idempotencyKey] })
      .returning(taskColumns),
  );

  /** Deleted tasks too (their key stays taken until the purge): `deleted` is the last column. */
  /** Where the idempotency read puts `deleted`: right after the task's own columns. */
  const DELETED_COLUMN = Object.keys(taskColumns).length;
  const byIdempotencyKeyStatement = template(
    db
      .select({ ...taskColumns, deleted: sql<boolean>`${task.deletedAt} is not null` })
      .from(task)
      .where(and(eq(task.userId, p('userId')), eq(task.idempotencyKey, p('idempotencyKey')))),
  );

  /** One statement per set of changed fields (and with or without a version check). */
  const updateStatements = new Map<string, ReturnType<typeof template>>();
  const updateStatement = (changes: TaskChanges, versioned: boolean) => {
    const fields = (['title', 'description', 'completed', 'dueOn'] as const).filter(
      (f) => changes[f] !== undefined,
    );
    const key = `${fields.join(',')}:${versioned}`;
    let statement = updateStatements.get(key);
    if (!statement) {
      statement = template(
        db
          .update(task)
          .set({ ...Object.fromEntries(fields.map((f) => [f, sql`${p(f)}`])), ...bumpVersion })
          .where(and(owned, versioned ? eq(task.version, p('version')) : undefined))
          .returning(taskColumns),
      );
      updateStatements.set(key, statement);
    }
    return statement;
  };

  const toggleStatement = template(
    db
      .update(task)
      .set({ completed: sql`not ${task.completed}`, ...bumpVersion })
      .where(owned)
      .returning(taskColumns),
  );

  /** Only the rows that change get a new version: a task already in that state keeps its own. */
  const setAllCompletedStatement = template(
    db
      .update(task)
      .set({ completed: sql`${p('completed')}`, ...bumpVersion })
      .where(and(eq(task.userId, p('userId')), live, ne(task.completed, p('completed'))))
      .returning({ id: task.id, version: task.version }),
  );

  const countsStatement = template(
    db
      .select({
        all: sql<number>`count(*)::int`,
        completed: sql<number>`(count(*) filter (where ${task.completed}))::int`,
      })
      .from(task)
      .where(and(eq(task.userId, p('userId')), live)),
  );

  /** Deleting is an update (D34): hidden at once, restorable until the purge, and a new version. */
  const softDelete = { deletedAt: sql`now()`, ...bumpVersion };

  const removeCompletedStatement = template(
    db
      .update(task)
      .set(softDelete)
      .where(and(eq(task.userId, p('userId')), eq(task.completed, true), live))
      .returning({ id: task.id }),
  );

  const removeStatement = template(db.update(task).set(softDelete).where(owned).returning({ id: task.id }));

  /** Deleted and still restorable: what "Recently deleted" lists and what may be deleted for good (D40). */
  const restorable = sql`${task.deletedAt} >= ${retentionStart}`;

  /** "Recently deleted", last deleted first; served by task_user_deleted_idx (read backward). */
  const deletedStatements = new Map<boolean, ReturnType<typeof template>>();
  const deletedStatement = (withCursor: boolean) => {
    let statement = deletedStatements.get(withCursor);
    if (!statement) {
      const conditions: SQL[] = [
        eq(task.userId, p('userId')),
        sql`${task.deletedAt} is not null`,
        restorable,
      ];
      if (withCursor) {
        conditions.push(
          sql`(${task.deletedAt}, ${task.id}) < (${p('cursorAt')}::timestamptz, ${p('cursorId')}::uuid)`,
        );
      }
      statement = template(
        db
          .select({
            ...taskColumns,
            deletedAt: task.deletedAt,
            purgeAt: sql`${task.deletedAt} + make_interval(secs => ${sql.raw(String(retentionDays * 86_400))})`,
          })
          .from(task)
          .where(and(...conditions))
          .orderBy(desc(task.deletedAt), desc(task.id))
          .limit(p('limit')),
      );
      deletedStatements.set(withCursor, statement);
    }
    return statement;
  };
  const DELETED_AT_COLUMN = Object.keys(taskColumns).length;

  /** Empties the caller's "Recently deleted". */
  const emptyDeletedStatement = template(
    db
      .delete(task)
      .where(and(eq(task.userId, p('userId')), sql`${task.deletedAt} is not null`))
      .returning({ id: task.id }),
  );

  /**
   * Removes for good up to PURGE_BATCH tasks deleted before the retention window, any owner's: the
   * one cross-user write, run by the server's purge job as the connection's role. SKIP LOCKED lets
   * instances purging at the same moment share the work instead of waiting on each other.
   */
  const purgeBatch = () =>
    db
      .delete(task)
      .where(
        inArray(
          task.id,
          db
            .select({ id: task.id })
            .from(task)
            .where(sql`${task.deletedAt} < ${retentionStart}`)
            .orderBy(task.deletedAt)
            .limit(PURGE_BATCH)
            .for('update', { skipLocked: true }),
        ),
      )
      .returning({ id: task.id });

  /** A row as drizzle's own query builder returns it (off the hot path), as a record. */
  const fromDrizzle = (
    row: Omit<TaskRecord, 'createdAt' | 'updatedAt'> & { createdAt: Date; updatedAt: Date },
  ): TaskRecord => ({
    ...row,
    createdAt: isoTimestamp(row.createdAt),
    updatedAt: isoTimestamp(row.updatedAt),
  });

  const first = (rows: unknown[][]): TaskRecord | undefined => (rows[0] ? toRecord(rows[0]) : undefined);

  return {
    asUser,
    runAs,

    get: async (userId: string, id: string) => first(await runAs(userId, getStatement({ userId, id }))),

    findOwner: async (id: string) => (await owner.execute({ id }))[0],

    /** A page of the user's tasks in their manual order (new ones on top); `search` is a tsquery (`searchQuery`) or null. */
    list: async (
      userId: string,
      status: TaskStatus,
      limit: number,
      cursor: TaskCursor | null,
      search: string | null = null,
    ) =>
      (
        await runAs(
          userId,
          listStatement(
            status,
            cursor !== null,
            search !== null,
          )({
            userId,
            limit,
            cursorPosition: cursor?.position,
            cursorId: cursor?.id,
            search,
          }),
        )
      ).map(toRecord),

    /** A due view's page: `today` is the caller's date (D35), `limit` rows at most. */
    listDue: async (
      userId: string,
      view: TaskDueView,
      today: string,
      limit: number,
      cursor: DueCursor | null,
      search: string | null = null,
    ) =>
      (
        await runAs(
          userId,
          dueStatement(
            view,
            cursor !== null,
            search !== null,
          )({ userId, today, limit, cursorDue: cursor?.dueOn, cursorId: cursor?.id, search }),
        )
      ).map(toRecord),

    create: async (
      userId: string,
      title: string,
      description: string | null,
      dueOn: string | null = null,
    ) => {
      const row = first(await runAs(userId, createStatement({ userId, title, description, dueOn })));
      if (!row) throw new Error('insert returned no row');
      return row;
    },

    /**
     * Creates a task unless this owner already used `idempotencyKey`: then (a retry, even one racing
     * the first) it creates nothing and returns the task the key made, with `created: false`, so
     * the caller can check that it is the same request; `deleted` says that task has since been
     * deleted (it is not brought back: a retry must not undo a delete).
     */
    createOnce: async (
      userId: string,
      title: string,
      description: string | null,
      dueOn: string | null,
      idempotencyKey: string,
    ): Promise<{ task: TaskRecord; created: boolean; deleted: boolean }> => {
      const values = { userId, title, description, dueOn, idempotencyKey };
      // Twice at most: the task the key made may be purged between our insert and our read.
      for (let attempt = 0; attempt < 2; attempt++) {
        const inserted = first(await runAs(userId, createOnceStatement(values)));
        if (inserted) return { task: inserted, created: true, deleted: false };
        // The conflicting insert waited for the first one to commit, so this read sees it.
        const [row] = await runAs(userId, byIdempotencyKeyStatement(values));
        // `deleted` follows the task's columns.
        if (row) return { task: toRecord(row), created: false, deleted: row[DELETED_COLUMN] === true };
      }
      throw new Error('idempotency key conflict without a row');
    },

    /** Applies `changes` if the caller owns the task and, when given, `version` is current. */
    update: async (userId: string, id: string, changes: TaskChanges, version: number | undefined) =>
      first(
        await runAs(
          userId,
          updateStatement(changes, version !== undefined)({ ...changes, userId, id, version }),
        ),
      ),

    toggle: async (userId: string, id: string) => first(await runAs(userId, toggleStatement({ userId, id }))),

    /** Sets `completed` on every task of the user in one statement; returns the changed ones. */
    setAllCompleted: async (userId: string, completed: boolean) =>
      (await runAs(userId, setAllCompletedStatement({ userId, completed }))).map(([id, version]) => ({
        id: String(id),
        version: Number(version),
      })),

    /** How many tasks the user has, and how many of them are completed, in one statement. */
    counts: async (userId: string) => {
      const [row] = await runAs(userId, countsStatement({ userId }));
      return { all: Number(row?.[0] ?? 0), completed: Number(row?.[1] ?? 0) };
    },

    /** Deletes (softly, D34) every completed task of the user; returns the deleted ids. */
    removeCompleted: async (userId: string) =>
      (await runAs(userId, removeCompletedStatement({ userId }))).map(([id]) => ({ id: String(id) })),

    /** Deletes (softly, D34) a live task of the user. */
    remove: async (userId: string, id: string) => {
      const [row] = await runAs(userId, removeStatement({ userId, id }));
      return row ? { id: String(row[0]) } : undefined;
    },

    /**
     * Moves a task in its owner's manual order (D37), in one transaction as the RLS role: locks the
     * task and its named neighbours (so two moves next to the same task take turns and the second
     * sees the first), checks that `after` and `before` are still adjacent in the list `status`
     * (the moved task aside), and writes one key between `after`'s key and the next key of the
     * whole list. No new version: an order is not an edit, so a move never makes an open edit of
     * the task a CONFLICT; the trigger still sends an `updated` event with the new position.
     * When the key would be too long, or two keys tie, the owner's keys are rewritten instead.
     */
    move: (userId: string, move: TaskMove): Promise<MoveResult> =>
      asUser(userId, async (tx) => {
        const owner = eq(task.userId, userId);
        const named = [move.id, move.after, move.before].filter((id): id is string => typeof id === 'string');
        const rows = await tx
          .select({ id: task.id, position: task.position })
          .from(task)
          .where(and(owner, inArray(task.id, named), live))
          .orderBy(asc(task.id))
          .for('no key update');
        const find = (id: string | null | undefined) => (id ? rows.find((r) => r.id === id) : undefined);
        const moved = find(move.id);
        if (!moved) return { status: 'missing' };
        const after = find(move.after);
        const before = find(move.before);
        // A neighbour that is not a live task of the caller (deleted, or never theirs): stale.
        if ((move.after && !after) || (move.before && !before)) return { status: 'stale' };
        const sortsBelow = (a: { position: string; id: string }, b: { position: string; id: string }) =>
          a.position < b.position || (a.position === b.position && a.id < b.id);
        if (after && before && !sortsBelow(after, before)) return { status: 'stale' };

        const others = and(owner, live, ne(task.id, move.id));
        if (move.before !== undefined) {
          // Nothing of the list between the two neighbours (or beyond a null one).
          const between = await tx
            .select({ id: task.id })
            .from(task)
            .where(
              and(
                others,
                move.status === 'all' ? undefined : eq(task.completed, move.status === 'completed'),
                after
                  ? sql`(${task.position}, ${task.id}) > (${after.position}::text collate "C", ${after.id}::uuid)`
                  : undefined,
                before
                  ? sql`(${task.position}, ${task.id}) < (${before.position}::text collate "C", ${before.id}::uuid)`
                  : undefined,
              ),
            )
            .limit(1);
          if (between.length > 0) return { status: 'stale' };
        }

        // The next key of the whole list (hidden tasks too), so the new key collides with none.
        const [next] = await tx
          .select({ position: task.position })
          .from(task)
          .where(and(others, after ? gt(task.position, after.position) : undefined))
          .orderBy(asc(task.position))
          .limit(1);
        const tie = after !== undefined && before !== undefined && after.position === before.position;
        const position = tie ? null : positionBetween(after?.position ?? null, next?.position ?? null);
        if (position !== null && position.length <= POSITION_RESPACE_LENGTH) {
          const [updated] = await tx
            .update(task)
            .set({ position })
            .where(and(owner, eq(task.id, move.id), live))
            .returning(taskColumns);
          if (!updated) return { status: 'missing' };
          return { status: 'moved', task: fromDrizzle(updated), respaced: false };
        }

        // Respace: the whole list in its order, the task in its new place, short keys for all.
        const order = await tx
          .select({ id: task.id })
          .from(task)
          .where(others)
          .orderBy(asc(task.position), asc(task.id));
        const at = after ? order.findIndex((r) => r.id === after.id) + 1 : 0;
        const ids = order.map((r) => r.id);
        ids.splice(at, 0, move.id);
        const keys = freshPositions(ids.length);
        const pairs = JSON.stringify(ids.map((id, i) => ({ id, position: keys[i] })));
        await tx.execute(sql`update ${task} set position = v.position
          from json_to_recordset(${pairs}::json) as v(id uuid, position text)
          where ${task.id} = v.id and ${owner} and ${live} and ${task.position} <> v.position`);
        const [updated] = await tx
          .select(taskColumns)
          .from(task)
          .where(and(owner, eq(task.id, move.id), live));
        if (!updated) return { status: 'missing' };
        return { status: 'moved', task: fromDrizzle(updated), respaced: true };
      }),

    /**
     * Brings back the user's tasks among `ids` deleted within the retention window (a new version
     * each), in one transaction as the RLS role; tasks already live are left as they are. Returns
     * every one of `ids` that is live afterwards, and the ids that are not (unknown, another
     * user's, purged or deleted too long ago): the caller decides, and may roll back by throwing
     * from `check`.
     */
    restore: (userId: string, ids: readonly string[], check: (missing: string[]) => void) =>
      asUser(userId, async (tx) => {
        const wanted = [...new Set(ids)];
        const owner = eq(task.userId, userId);
        await tx
          .update(task)
          .set({ deletedAt: null, ...bumpVersion })
          .where(and(owner, inArray(task.id, wanted), sql`${task.deletedAt} >= ${retentionStart}`));
        const rows = await tx
          .select(taskColumns)
          .from(task)
          .where(and(owner, inArray(task.id, wanted), live))
          .orderBy(asc(task.position), asc(task.id));
        const found = new Set(rows.map((r) => r.id));
        check(wanted.filter((id) => !found.has(id)));
        return rows.map(fromDrizzle);
      }),

    /** A page of the user's deleted, still restorable tasks, last deleted first (D40). */
    listDeleted: async (userId: string, limit: number, cursor: DeletedCursor | null) =>
      (
        await runAs(
          userId,
          deletedStatement(cursor !== null)({
            userId,
            limit,
            cursorAt: cursor?.deletedAt,
            cursorId: cursor?.id,
          }),
        )
      ).map((row): DeletedTaskRecord => ({
        ...toRecord(row),
        deletedAt: isoTimestamp(row[DELETED_AT_COLUMN]),
        purgeAt: isoTimestamp(row[DELETED_AT_COLUMN + 1]),
      })),

    /**
     * Removes for good the user's deleted tasks among `ids`, in one transaction as the RLS role;
     * `check` gets the ids that were not among them (unknown, another user's, live, or purged
     * already) and may roll everything back by throwing, as `restore`'s does.
     */
    deleteForever: (userId: string, ids: readonly string[], check: (missing: string[]) => void) =>
      asUser(userId, async (tx) => {
        const wanted = [...new Set(ids)];
        const rows = await tx
          .delete(task)
          .where(and(eq(task.userId, userId), inArray(task.id, wanted), isNotNull(task.deletedAt)))
          .returning({ id: task.id });
        const found = new Set(rows.map((r) => r.id));
        check(wanted.filter((id) => !found.has(id)));
        return [...found];
      }),

    /** Removes for good every deleted task of the user; returns their ids. */
    emptyDeleted: async (userId: string) =>
      (await runAs(userId, emptyDeletedStatement({ userId }))).map(([id]) => String(id)),

    /** Hard-deletes every task deleted before the retention window (all users); returns how many. */
    purgeDeleted: async (): Promise<number> => {
      let purged = 0;
      for (;;) {
        const batch = (await purgeBatch()).length;
        purged += batch;
        if (batch < PURGE_BATCH) return purged;
      }
    },
  };
}

export type TaskQueries = ReturnType<typeof createTaskQueries>;
