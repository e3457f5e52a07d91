/**
 * The task rules a client needs without zod: limits, the lists' names and how a search splits into
 * words. `shared/task.ts` builds the zod schemas from these; the web client's first load imports
 * this file only, so zod arrives later, with the first form check (parse-task-fields.ts).
 */

export const TASK_TITLE_MAX = 500;
export const TASK_DESCRIPTION_MAX = 5000;
export const TASK_LIST_LIMIT_DEFAULT = 50;
export const TASK_LIST_LIMIT_MAX = 100;
/** The most tasks one `task.restore` brings back: one "clear completed" of a busy list. */
export const TASK_RESTORE_MAX = 1000;
/** Longer than any useful query, short enough to keep a search cheap. */
export const TASK_SEARCH_MAX = 100;

/**
 * A manual-order key (D37): fractional-indexing's base-62 digits, compared byte by byte. Opaque to
 * clients except for sorting: a smaller key is higher in the list.
 */
export const TASK_POSITION_PATTERN = /^[0-9A-Za-z]{2,100}$/;

export const taskStatuses = ['all', 'active', 'completed'] as const;
export type TaskStatus = (typeof taskStatuses)[number];

/**
 * Planning views of `task.list`, over active tasks with a due date: `today` is due on or before
 * the caller's today (overdue included), `upcoming` is due after it.
 */
export const taskDueViews = ['today', 'upcoming'] as const;
export type TaskDueView = (typeof taskDueViews)[number];

/**
 * The words of a search, lowercased: runs of letters, digits and marks (what PostgreSQL's parser
 * keeps as words; everything else separates them). At most 16, so a query stays cheap.
 */
export const searchWords = (search: string): string[] =>
  (search.toLowerCase().match(/[\p{L}\p{N}\p{M}]+/gu) ?? []).slice(0, 16);
