import { bigserial, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { TASK_EVENT_TYPES } from '../../shared/task-events';

/**
 * The outbox of task changes (decisions D33): one row per changed task, written by the trigger on
 * `task` in the changing transaction (drizzle/0008_task_events.sql), read by open `task.changes`
 * streams by `id` (monotonic), and purged after `TASK_EVENT_RETENTION_SECONDS`. No foreign key to
 * `user`: an account's deletion cascades to its tasks, whose `deleted` rows are written while the
 * user row is going away. No copy of the task: a stream reads the current row (newer wins anyway).
 */
export const taskEvent = pgTable(
  'task_event',
  {
    id: bigserial('id', { mode: 'bigint' }).primaryKey(),
    userId: text('user_id').notNull(),
    taskId: uuid('task_id').notNull(),
    type: text('type', { enum: TASK_EVENT_TYPES }).notNull(),
    version: integer('version').notNull(),
    /** The writing transaction: the deletes of one `clearCompleted` share it and become one `cleared`. */
    txid: text('txid').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3, mode: 'date' })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    // A stream reads "this user's events after id N"; purging scans created_at.
    index('task_event_user_id_idx').on(t.userId, t.id),
    index('task_event_created_at_idx').on(t.createdAt),
  ],
);

export type TaskEventRow = typeof taskEvent.$inferSelect;
