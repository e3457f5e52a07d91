import { sql, type SQL } from 'drizzle-orm';
import {
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { TASK_DESCRIPTION_MAX, TASK_TITLE_MAX } from '../../shared/task';
import { user } from './auth-schema';

/** PostgreSQL's full-text document type; drizzle has no built-in for it. Never selected for callers. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * Text compared byte by byte (`collate "C"`): fractional-indexing keys (D37) sort by their ASCII
 * digits, which a linguistic collation (the database's default) would misorder.
 */
const bytewiseText = customType<{ data: string }>({ dataType: () => 'text COLLATE "C"' });

/** Millisecond precision so that a timestamp survives a round trip through a JS Date (cursors). */
const timestampMs = (name: string) =>
  timestamp(name, { withTimezone: true, precision: 3, mode: 'date' }).notNull().defaultNow();

export const task = pgTable(
  'task',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    description: text('description'),
    completed: boolean('completed').notNull().default(false),
    version: integer('version').notNull().default(1),
    createdAt: timestampMs('created_at'),
    updatedAt: timestampMs('updated_at'),
    /** Chosen by the client for one logical create: a retry with it returns this task (never shown). */
    idempotencyKey: uuid('idempotency_key'),
    /**
     * Set by delete and clear completed (D34): the task is hidden from every read and write but
     * restorable until the purge job removes it, DELETED_TASK_RETENTION_DAYS later.
     */
    deletedAt: timestamp('deleted_at', { withTimezone: true, precision: 3, mode: 'date' }),
    /** A calendar date without a zone (the person's own day); null when the task has none. */
    dueOn: date('due_on', { mode: 'string' }),
    /**
     * The task's place in its owner's manual order (D37): a fractional-indexing key, smallest on
     * top. A new task gets one derived from the insert's time (`task_new_position()`, migration
     * 0011), so it lands on top without reading its owner's other keys; `task.move` writes one key
     * between two neighbours' keys.
     */
    position: bytewiseText('position')
      .notNull()
      .default(sql`task_new_position()`),
    /**
     * Title and description as words for search (D35): generated, so it can never disagree with
     * them; `simple` (no language's stemming or stop words: the tasks are in any language).
     */
    search: tsvector('search')
      .notNull()
      .generatedAlwaysAs(
        (): SQL =>
          sql`to_tsvector('simple'::regconfig, ${task.title} || ' ' || coalesce(${task.description}, ''))`,
      ),
  },
  (t) => [
    // Serves "my tasks in my order" and its keyset cursor (position, id), live tasks only (every
    // list and count says `deleted_at is null`), so deleted rows never cost the hot path.
    index('task_user_position_idx')
      .on(t.userId, t.position, t.id)
      .where(sql`${t.deletedAt} is null`),
    // The purge job's scan (oldest deletions first); small, it holds deleted rows only.
    index('task_deleted_at_idx')
      .on(t.deletedAt)
      .where(sql`${t.deletedAt} is not null`),
    // "Recently deleted" (D40), one person's deletions last first and its cursor; deleted rows only.
    index('task_user_deleted_idx')
      .on(t.userId, t.deletedAt, t.id)
      .where(sql`${t.deletedAt} is not null`),
    // Serves the Today and Upcoming views and their cursor (due_on, id): active tasks only, which
    // is all those views show, so completed and deleted tasks do not grow it.
    index('task_user_due_idx')
      .on(t.userId, t.dueOn, t.id)
      .where(sql`${t.dueOn} is not null and not ${t.completed} and ${t.deletedAt} is null`),
    // Serves search; the owner is checked on the rows it finds (GIN has no btree columns without
    // the btree_gin extension, which PGlite does not ship by default).
    index('task_search_idx').using('gin', t.search),
    // One task per (owner, key), deleted rows included: a retried create whose task was since
    // deleted finds it instead of making a second one (D34). Rows without a key never collide.
    uniqueIndex('task_user_idempotency_key_idx').on(t.userId, t.idempotencyKey),
    // Defense in depth: the API validates these too, the database refuses what slips past.
    check('task_title_length', sql`char_length(${t.title}) between 1 and ${sql.raw(String(TASK_TITLE_MAX))}`),
    check('task_position_format', sql`${t.position} ~ '^[0-9A-Za-z]{2,100}$'`),
    check(
      'task_description_length',
      sql`${t.description} is null or char_length(${t.description}) between 1 and ${sql.raw(String(TASK_DESCRIPTION_MAX))}`,
    ),
  ],
);

export type TaskRow = typeof task.$inferSelect;
