/**
 * Edits every cached `task.list` result (each filter's infinite list and the count queries)
 * the way the server would, so optimistic changes show everywhere at once.
 */
import type { InfiniteData, QueryClient, QueryKey } from '@tanstack/react-query';
import { getQueryKey } from '@trpc/react-query';
import type { TaskStatus } from '../../../../shared/task';
import { trpc, type RouterOutputs, type Task } from '../../lib/trpc';

export type ListPage = RouterOutputs['task']['list'];
type ListData = ListPage | InfiniteData<ListPage, unknown>;

/** Prefix of every `task.list` query, whatever its input or kind. */
export const taskListKey = (): QueryKey => getQueryKey(trpc.task.list);

const isInfinite = (data: ListData): data is InfiniteData<ListPage, unknown> => 'pages' in data;

function statusOf(key: QueryKey): TaskStatus {
  const meta = key[1] as { input?: { status?: TaskStatus } } | undefined;
  return meta?.input?.status ?? 'all';
}

export const matchesStatus = (task: Task, status: TaskStatus): boolean =>
  status === 'all' || (status === 'completed') === task.completed;

/** The server's order: newest first, ties broken by id. */
const sortsBefore = (a: Task, b: Task): boolean =>
  a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);

function insertSorted(pages: ListPage[], task: Task): ListPage[] {
  const target = pages.findIndex((page) => {
    const last = page.items.at(-1);
    return last ? sortsBefore(task, last) : !page.nextCursor;
  });
  // Older than everything loaded while more pages exist: it will appear when they load.
  if (target === -1) {
    const lastPage = pages.at(-1);
    if (!lastPage || lastPage.nextCursor) return pages;
    return pages.map((page, i) =>
      i === pages.length - 1 ? { ...page, items: [...page.items, task] } : page,
    );
  }
  return pages.map((page, i) => {
    if (i !== target) return page;
    const at = page.items.findIndex((item) => sortsBefore(task, item));
    const items = [...page.items];
    items.splice(at === -1 ? items.length : at, 0, task);
    return { ...page, items };
  });
}

function editPages(client: QueryClient, edit: (pages: ListPage[], status: TaskStatus) => ListPage[]): void {
  for (const [key, data] of client.getQueriesData<ListData>({ queryKey: taskListKey() })) {
    if (!data) continue;
    const status = statusOf(key);
    if (isInfinite(data)) {
      const next: ListData = { ...data, pages: edit(data.pages, status) };
      client.setQueryData(key, next);
    } else {
      const [page] = edit([data], status);
      if (page) client.setQueryData(key, page);
    }
  }
}

const without = (pages: ListPage[], id: string): ListPage[] =>
  pages.map((page) =>
    page.items.some((t) => t.id === id) ? { ...page, items: page.items.filter((t) => t.id !== id) } : page,
  );

/** Puts `task` (new or changed) into every list it belongs to, and out of those it does not. */
export function writeTask(client: QueryClient, task: Task, replacesId: string = task.id): void {
  editPages(client, (pages, status) => {
    const rest = without(without(pages, replacesId), task.id);
    return matchesStatus(task, status) ? insertSorted(rest, task) : rest;
  });
}

export function removeTask(client: QueryClient, id: string): void {
  editPages(client, (pages) => without(pages, id));
}

/** Every loaded task with this id (the first found), e.g. to restore it after a failed delete. */
export function findTask(client: QueryClient, id: string): Task | undefined {
  for (const [, data] of client.getQueriesData<ListData>({ queryKey: taskListKey() })) {
    if (!data) continue;
    const pages = isInfinite(data) ? data.pages : [data];
    for (const page of pages) {
      const found = page.items.find((t) => t.id === id);
      if (found) return found;
    }
  }
  return undefined;
}
