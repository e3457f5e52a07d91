import { trpc } from '../../lib/trpc';
import type { TaskCounts } from './task-cache';

/**
 * Exact counts for the filters and the footer from `task.counts`, undefined until loaded.
 * Optimistic changes edit them together with the lists (`task-cache.ts`).
 */
export function useTaskCounts(): TaskCounts | undefined {
  return trpc.task.counts.useQuery().data;
}
