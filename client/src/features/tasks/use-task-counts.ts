import { TASK_LIST_LIMIT_MAX, type TaskStatus } from '../../../../shared/task';
import { trpc } from '../../lib/trpc';

/** A count to display, e.g. "3" or "100+"; null while unknown. */
export type TaskCounts = Record<TaskStatus, string | null> & {
  activeNumber: number;
  completedNumber: number;
};

/**
 * Counts from one page of each status (the API has no count procedure): exact up to
 * TASK_LIST_LIMIT_MAX, shown as "100+" beyond. The optimistic cache edits keep them current.
 */
export function useTaskCounts(): TaskCounts {
  const active = trpc.task.list.useQuery({ status: 'active', limit: TASK_LIST_LIMIT_MAX });
  const completed = trpc.task.list.useQuery({ status: 'completed', limit: TASK_LIST_LIMIT_MAX });
  const show = (n: number, more: boolean) => `${n}${more ? '+' : ''}`;
  const a = active.data;
  const c = completed.data;
  return {
    all: a && c ? show(a.items.length + c.items.length, Boolean(a.nextCursor || c.nextCursor)) : null,
    active: a ? show(a.items.length, Boolean(a.nextCursor)) : null,
    completed: c ? show(c.items.length, Boolean(c.nextCursor)) : null,
    activeNumber: a?.items.length ?? 0,
    completedNumber: c?.items.length ?? 0,
  };
}
