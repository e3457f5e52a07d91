import { z } from 'zod';
import {
  TASK_TITLE_MAX,
  TASK_DESCRIPTION_MAX,
  TASK_LIST_LIMIT_DEFAULT,
  TASK_LIST_LIMIT_MAX,
  TASK_RESTORE_MAX,
  TASK_SEARCH_MAX,
  taskStatuses,
  taskDueViews,
} from './task-rules';
import { userText } from './text';

// The zod-free rules too, for callers that import everything from here (the server, the SDK).
export * from './task-rules';

const taskTitle = userText('Title', { min: 1, max: TASK_TITLE_MAX });

/** A description may be cleared: blank text (or null) is stored as null. */
const taskDescription = z
  .union([userText('Description', { min: 0, max: TASK_DESCRIPTION_MAX }), z.null()])
  .transform((s) => (s ? s : null));

/**
 * A calendar date, `YYYY-MM-DD`, with no time or zone: a due date means the same day wherever the
 * person is. The year 0000 is ISO's but not PostgreSQL's, so it is refused here.
 */
export const calendarDate = z.iso
  .date({ message: 'Use a date as YYYY-MM-DD' })
  .refine((value) => !value.startsWith('0000'), 'Use a date as YYYY-MM-DD');

export const taskId = z.uuid({ message: 'Task id must be a UUID' });

export const listTasksInput = z
  .strictObject({
    status: z.enum(taskStatuses).default('all'),
    cursor: z.string().max(300).optional(),
    limit: z.number().int().min(1).max(TASK_LIST_LIMIT_MAX).default(TASK_LIST_LIMIT_DEFAULT),
    /** Sent by tRPC's infinite queries; the cursor only pages forward (down the list). */
    direction: z.literal('forward', { message: 'Only forward paging is supported' }).optional(),
    /** A planning view (earliest due first); needs `today`, and lists active tasks only. */
    due: z.enum(taskDueViews).optional(),
    /** The caller's own date: "today" is where the person is, not where the server is. */
    today: calendarDate.optional(),
    /**
     * Words to find in the title or description (every word; the last one as a prefix, so
     * results follow typing). Blank, or no letters or digits, means no search.
     */
    search: z.string().max(TASK_SEARCH_MAX, `Search is at most ${TASK_SEARCH_MAX} characters`).optional(),
  })
  .refine((i) => i.due === undefined || i.today !== undefined, {
    message: 'A due view needs today’s date',
    path: ['today'],
  })
  .refine((i) => i.due === undefined || i.status !== 'completed', {
    message: 'A due view lists active tasks only',
    path: ['status'],
  })
  .prefault({});

/** For procedures that take nothing: an absent input or `{}`, and no unknown keys. */
export const emptyInput = z.strictObject({}).optional();

export const taskIdInput = z.strictObject({ id: taskId });

/** The tasks an undo brings back: what one delete or clear completed removed. */
export const restoreTasksInput = z.strictObject({
  ids: z
    .array(taskId)
    .min(1, 'Give at least one task id')
    .max(TASK_RESTORE_MAX, `At most ${TASK_RESTORE_MAX} tasks at once`),
});

/** Tasks to remove for good from "Recently deleted" (D40). */
export const deleteForeverInput = restoreTasksInput;

/** A page of "Recently deleted": the caller's deleted tasks, last deleted first. */
export const listDeletedTasksInput = z
  .strictObject({
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(TASK_LIST_LIMIT_MAX).default(TASK_LIST_LIMIT_DEFAULT),
    /** Sent by tRPC's infinite queries; the cursor only pages forward. */
    direction: z.literal('forward', { message: 'Only forward paging is supported' }).optional(),
  })
  .prefault({});

export const createTaskInput = z.strictObject({
  title: taskTitle,
  description: taskDescription.optional(),
  dueOn: calendarDate.nullable().optional(),
  /**
   * A UUID the client picks once per task it means to add and sends again on every retry: the
   * server then returns the task it already made instead of a second one.
   */
  idempotencyKey: z.uuid({ message: 'Idempotency key must be a UUID' }).optional(),
});

/**
 * Moves a task in the manual order (D37) of a list (`status`: the All, Active or Completed list
 * the person reordered): right below `after` (null: to the top) and right above `before` (null:
 * to the bottom; omitted: not checked, e.g. below the last loaded task of a longer list). When
 * they are no longer next to each other in that list (moved or deleted elsewhere meanwhile), the
 * move is a CONFLICT: reload the list.
 */
export const moveTaskInput = z
  .strictObject({
    id: taskId,
    after: taskId.nullable(),
    before: taskId.nullable().optional(),
    status: z.enum(taskStatuses).default('all'),
  })
  .refine((i) => i.after !== i.id && i.before !== i.id, {
    message: 'A task cannot move next to itself',
    path: ['id'],
  })
  .refine((i) => i.after === null || i.after !== i.before, {
    message: 'after and before must be different tasks',
    path: ['before'],
  });

/** Marks every task of the caller completed (or every one active): TodoMVC's "mark all". */
export const setAllCompletedInput = z.strictObject({ completed: z.boolean() });

export const updateTaskInput = z
  .strictObject({
    id: taskId,
    title: taskTitle.optional(),
    description: taskDescription.optional(),
    completed: z.boolean().optional(),
    /** A new due date, or null to remove it. */
    dueOn: calendarDate.nullable().optional(),
    /** The version the caller last saw; a newer one on the server makes this a CONFLICT. */
    version: z.number().int().min(1).optional(),
  })
  .refine(
    (i) =>
      i.title !== undefined ||
      i.description !== undefined ||
      i.completed !== undefined ||
      i.dueOn !== undefined,
    'Nothing to update: give a title, description, completed or dueOn',
  );
