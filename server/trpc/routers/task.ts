import { tracked, TRPCError } from '@trpc/server';
import { z } from 'zod';
import {
  calendarDate,
  createTaskInput,
  deleteForeverInput,
  emptyInput,
  listDeletedTasksInput,
  listTasksInput,
  moveTaskInput,
  restoreTasksInput,
  TASK_POSITION_PATTERN,
  setAllCompletedInput,
  taskIdInput,
  updateTaskInput,
} from '../../../shared/task';
import { taskChangesInput, type TaskChangeEvent } from '../../../shared/task-events';
import type { TokenUser } from '../../auth/verify-jwt';
import { isForeignKeyViolation } from '../../db/database-error';
import type { TaskChangeFeed } from '../../live/task-change-feed';
import {
  searchQuery,
  type DeletedCursor,
  type DeletedTaskRecord,
  type DueCursor,
  type TaskCursor,
  type TaskQueries,
  type TaskRecord,
} from '../../db/task-queries';
import { readProcedure, router, writeProcedure } from '../init';

const cursorSchema = z.tuple([z.string().regex(TASK_POSITION_PATTERN), z.uuid()]);

/** Opaque to clients: base64url of `[position, id]` of the last task on the page (D37). */
const encodeCursor = (row: TaskRecord): string =>
  Buffer.from(JSON.stringify([row.position, row.id])).toString('base64url');

function decodeCursor(cursor: string): TaskCursor {
  try {
    const [position, id] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { position, id };
  } catch {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid cursor' });
  }
}

const dueCursorSchema = z.tuple([calendarDate, z.uuid()]);

/** Opaque to clients: base64url of `[dueOn, id]` of the last task on a due view's page. */
const encodeDueCursor = (row: TaskRecord): string =>
  Buffer.from(JSON.stringify([row.dueOn, row.id])).toString('base64url');

function decodeDueCursor(cursor: string): DueCursor {
  try {
    const [dueOn, id] = dueCursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { dueOn, id };
  } catch {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid cursor' });
  }
}

/**
 * A timestamp PostgreSQL can store: zod's ISO format allows the years 0000..9999, and PostgreSQL
 * (4713 BC..294276 AD) has no year 0, so `0000-…` would reach it and fail there.
 */
const storableTimestamp = z.iso.datetime().refine((value) => !value.startsWith('0000'), 'Out of range');

const deletedCursorSchema = z.tuple([storableTimestamp, z.uuid()]);

/** Opaque to clients: base64url of `[deletedAt, id]` of the last task on a "Recently deleted" page. */
const encodeDeletedCursor = (row: DeletedTaskRecord): string =>
  Buffer.from(JSON.stringify([row.deletedAt, row.id])).toString('base64url');

function decodeDeletedCursor(cursor: string): DeletedCursor {
  try {
    const [deletedAt, id] = deletedCursorSchema.parse(
      JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')),
    );
    return { deletedAt, id };
  } catch {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid cursor' });
  }
}

/**
 * The statement found nothing for this user: say whether the task is missing, someone
 * else's, or (for a versioned update) changed since the caller read it.
 */
async function explainMiss(tasks: TaskQueries, userId: string, id: string): Promise<never> {
  const owner = await tasks.findOwner(id);
  // Deleted (D34) reads as missing, whoever asks, as it did before deletes could be undone; only
  // its owner's task.restore brings it back.
  if (!owner || owner.deleted) throw new TRPCError({ code: 'NOT_FOUND', message: 'Task not found' });
  if (owner.userId !== userId) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'This task belongs to another user' });
  }
  throw new TRPCError({
    code: 'CONFLICT',
    message: `The task was changed elsewhere (now at version ${owner.version}); reload it and try again`,
  });
}

/** The body of `task.changes`: replay after `lastEventId` (or from now), then wait and read. */
async function* streamChanges(
  feed: TaskChangeFeed,
  user: TokenUser,
  lastEventId: string | undefined,
  signal: AbortSignal | undefined,
) {
  const stream = feed.open(user, signal);
  try {
    let last: bigint;
    if (lastEventId === undefined) {
      last = await feed.latest(user.id);
    } else {
      last = BigInt(lastEventId);
      if (!(await feed.canResumeFrom(last))) {
        last = await feed.latest(user.id);
        const resync: TaskChangeEvent = { type: 'resync' };
        yield tracked(last.toString(), resync);
      }
    }
    for (;;) {
      stream.arm();
      const batch = await feed.read(user.id, last);
      for (const change of batch.changes) yield tracked(change.id, change.event);
      last = batch.last;
      if (batch.more) continue;
      if (!(await stream.next())) return;
    }
  } finally {
    stream.close();
  }
}

export const taskRouter = router({
  list: readProcedure.input(listTasksInput).query(async ({ ctx, input }) => {
    const search = searchQuery(input.search);
    if (input.due !== undefined && input.today !== undefined) {
      const cursor = input.cursor ? decodeDueCursor(input.cursor) : null;
      const rows = await ctx.tasks.listDue(
        ctx.user.id,
        input.due,
        input.today,
        input.limit + 1,
        cursor,
        search,
      );
      const page = rows.slice(0, input.limit);
      const last = page.at(-1);
      return { items: page, nextCursor: rows.length > input.limit && last ? encodeDueCursor(last) : null };
    }
    const cursor = input.cursor ? decodeCursor(input.cursor) : null;
    // One extra row tells whether there is a next page without a count query.
    const rows = await ctx.tasks.list(ctx.user.id, input.status, input.limit + 1, cursor, search);
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    return {
      items: page,
      nextCursor: rows.length > input.limit && last ? encodeCursor(last) : null,
    };
  }),

  counts: readProcedure.input(emptyInput).query(async ({ ctx }) => {
    const { all, completed } = await ctx.tasks.counts(ctx.user.id);
    return { all, active: all - completed, completed };
  }),

  get: readProcedure.input(taskIdInput).query(async ({ ctx, input }) => {
    const row = await ctx.tasks.get(ctx.user.id, input.id);
    return row ?? (await explainMiss(ctx.tasks, ctx.user.id, input.id));
  }),

  create: writeProcedure.input(createTaskInput).mutation(async ({ ctx, input }) => {
    try {
      const description = input.description ?? null;
      const dueOn = input.dueOn ?? null;
      if (input.idempotencyKey === undefined) {
        return await ctx.tasks.create(ctx.user.id, input.title, description, dueOn);
      }
      const { task, created, deleted } = await ctx.tasks.createOnce(
        ctx.user.id,
        input.title,
        description,
        dueOn,
        input.idempotencyKey,
      );
      if (
        !created &&
        (task.title !== input.title || task.description !== description || task.dueOn !== dueOn)
      ) {
        throw new TRPCError({
          code: 'CONFLICT',
          message: 'This idempotency key was already used for a different task; use a new key for a new task',
        });
      }
      if (deleted) {
        // A retry of a create whose task was deleted since: bringing it back would undo the delete.
        throw new TRPCError({
          code: 'CONFLICT',
          message:
            'The task made with this idempotency key has since been deleted; use a new key for a new task',
        });
      }
      return task;
    } catch (error) {
      // The user in a still-valid token no longer exists (deleted): their session is over.
      if (isForeignKeyViolation(error)) {
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Authentication required' });
      }
      throw error;
    }
  }),

  update: writeProcedure.input(updateTaskInput).mutation(async ({ ctx, input }) => {
    const { id, version, ...changes } = input;
    const row = await ctx.tasks.update(ctx.user.id, id, changes, version);
    return row ?? (await explainMiss(ctx.tasks, ctx.user.id, id));
  }),

  toggle: writeProcedure.input(taskIdInput).mutation(async ({ ctx, input }) => {
    const row = await ctx.tasks.toggle(ctx.user.id, input.id);
    return row ?? (await explainMiss(ctx.tasks, ctx.user.id, input.id));
  }),

  delete: writeProcedure.input(taskIdInput).mutation(async ({ ctx, input }) => {
    const row = await ctx.tasks.remove(ctx.user.id, input.id);
    return row ?? (await explainMiss(ctx.tasks, ctx.user.id, input.id));
  }),

  /**
   * Manual order (D37): one key between the neighbours' keys, one row. CONFLICT when they are no
   * longer adjacent in that list (a neighbour moved or was deleted elsewhere): reload and retry.
   */
  move: writeProcedure.input(moveTaskInput).mutation(async ({ ctx, input }) => {
    const result = await ctx.tasks.move(ctx.user.id, input);
    if (result.status === 'moved') return result.task;
    if (result.status === 'missing') return await explainMiss(ctx.tasks, ctx.user.id, input.id);
    throw new TRPCError({
      code: 'CONFLICT',
      message:
        'The list changed elsewhere (a neighbouring task moved or was deleted); reload it and try again',
    });
  }),

  /** One statement; only the tasks that changed come back, with their new versions. */
  setAllCompleted: writeProcedure.input(setAllCompletedInput).mutation(async ({ ctx, input }) => {
    const tasks = await ctx.tasks.setAllCompleted(ctx.user.id, input.completed);
    return { updated: tasks.length, tasks };
  }),

  /**
   * Live updates (decisions D33): every later change to the caller's tasks, each with its outbox
   * id, so a reconnect with `lastEventId` resumes with no gap and no duplicate. Ends with
   * UNAUTHORIZED when the token expires or is revoked (reconnect with a fresh one).
   */
  changes: readProcedure.input(taskChangesInput).subscription(({ ctx, input, signal }) => {
    const feed = ctx.changes;
    if (!feed) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'Live updates are unavailable' });
    // Checked before the stream starts, so a refusal is an HTTP 429, not an event in a 200 stream.
    feed.checkCapacity(ctx.user.id);
    return streamChanges(feed, ctx.user, input.lastEventId ?? undefined, signal);
  }),

  clearCompleted: writeProcedure.input(emptyInput).mutation(async ({ ctx }) => {
    const ids = (await ctx.tasks.removeCompleted(ctx.user.id)).map((row) => row.id);
    return { deleted: ids.length, ids };
  }),

  /**
   * Undoes delete and clear completed (D34): all of `ids` come back, or none. An id that is not a
   * restorable task of the caller (unknown, another user's, or deleted longer ago than the
   * retention) makes it NOT_FOUND, without saying which case (another user's tasks stay invisible).
   */
  restore: writeProcedure.input(restoreTasksInput).mutation(async ({ ctx, input }) => {
    const items = await ctx.tasks.restore(ctx.user.id, input.ids, (missing) => {
      if (missing.length > 0) {
        throw new TRPCError({
          code: 'NOT_FOUND',
          message:
            new Set(input.ids).size === 1
              ? 'Task not found: it may have been deleted too long ago to restore'
              : `${missing.length} of these tasks were not found (none was restored): they may have been deleted too long ago to restore`,
        });
      }
    });
    return { items };
  }),

  /**
   * "Recently deleted" (D40): the caller's deleted tasks that can still be restored, last deleted
   * first, each with `deletedAt` and `purgeAt` (when the purge job removes it for good).
   */
  listDeleted: readProcedure.input(listDeletedTasksInput).query(async ({ ctx, input }) => {
    const cursor = input.cursor ? decodeDeletedCursor(input.cursor) : null;
    const rows = await ctx.tasks.listDeleted(ctx.user.id, input.limit + 1, cursor);
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    return { items: page, nextCursor: rows.length > input.limit && last ? encodeDeletedCursor(last) : null };
  }),

  /**
   * Removes deleted tasks for good, before the purge would (D40): all of `ids` or none. An id that
   * is not one of the caller's deleted tasks (unknown, live, another user's, or purged already)
   * makes it NOT_FOUND without saying which.
   */
  deleteForever: writeProcedure.input(deleteForeverInput).mutation(async ({ ctx, input }) => {
    const ids = await ctx.tasks.deleteForever(ctx.user.id, input.ids, (missing) => {
      if (missing.length > 0) {
        throw new TRPCError({
          code: 'NOT_FOUND',
          message:
            new Set(input.ids).size === 1
              ? 'Task not found among your deleted tasks: it may have been restored or removed already'
              : `${missing.length} of these tasks were not found among your deleted tasks (none was removed): they may have been restored or removed already`,
        });
      }
    });
    return { deleted: ids.length, ids };
  }),

  /** Empties "Recently deleted": every deleted task of the caller is removed for good. */
  emptyDeleted: writeProcedure.input(emptyInput).mutation(async ({ ctx }) => {
    const ids = await ctx.tasks.emptyDeleted(ctx.user.id);
    return { deleted: ids.length, ids };
  }),
});
