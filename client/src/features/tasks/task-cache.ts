/**
 * Edits every cached `task.list` result (each filter's infinite list) and the `task.counts`
 * result the way the server would, so optimistic changes show everywhere at once and the
 * counts always agree with the lists.
 */
import type { InfiniteData, QueryClient, QueryKey } from '@tanstack/react-query';
import { getQueryKey } from '@trpc/react-query';
import { searchWords, type TaskDueView, type TaskStatus } from '../../../../shared/task-rules';
import type { TaskChangeEvent } from '../../../../shared/task-events';
import { trpc, type RouterOutputs, type Task } from '../../lib/trpc';

type ListPage = RouterOutputs['task']['list'];
type ListData = ListPage | InfiniteData<ListPage, unknown>;

export type TaskCounts = RouterOutputs['task']['counts'];

/** Prefix of every `task.list` query, whatever its input or kind. */
const taskListKey = (): QueryKey => getQueryKey(trpc.task.list);

/** Prefix of every cached task query: the lists and the counts. */
export const taskQueriesKey = (): QueryKey => getQueryKey(trpc.task);

const taskCountsKey = (): QueryKey => getQueryKey(trpc.task.counts);

const isInfinite = (data: ListData): data is InfiniteData<ListPage, unknown> => 'pages' in data;

/** What a cached list was asked for: a status, or a due view with the date it was asked on. */
interface ListInput {
  status?: TaskStatus;
  due?: TaskDueView;
  today?: string;
  search?: string;
}

/**
 * The server's search rule, near enough for an optimistic edit: every word of the search is a word
 * of the title or description, the last one a prefix. The refetch after the change has the last word.
 */
function matchesSearch(task: Task, search: string | undefined): boolean {
  const wanted = searchWords(search ?? '');
  const last = wanted.pop();
  if (last === undefined) return true;
  const words = searchWords(`${task.title} ${task.description ?? ''}`);
  return wanted.every((w) => words.includes(w)) && words.some((w) => w.startsWith(last));
}

const inputOf = (key: QueryKey): ListInput => (key[1] as { input?: ListInput } | undefined)?.input ?? {};

/** Whether the server would list `task` for this input. */
function matchesList(task: Task, list: ListInput): boolean {
  if (!matchesSearch(task, list.search)) return false;
  if (list.due) {
    if (task.completed || task.dueOn === null || list.today === undefined) return false;
    return list.due === 'today' ? task.dueOn <= list.today : task.dueOn > list.today;
  }
  const status = list.status ?? 'all';
  return status === 'all' || (status === 'completed') === task.completed;
}

/**
 * The server's order: the manual order (position keys compare by code unit, like the database's
 * `collate "C"`), ties broken by id; a due view's is earliest due first, then by id (ascending).
 */
const sortsBefore = (a: Task, b: Task, list: ListInput): boolean =>
  list.due
    ? (a.dueOn ?? '') < (b.dueOn ?? '') || (a.dueOn === b.dueOn && a.id < b.id)
    : a.position < b.position || (a.position === b.position && a.id < b.id);

function insertSorted(pages: ListPage[], task: Task, list: ListInput): ListPage[] {
  const target = pages.findIndex((page) => {
    const last = page.items.at(-1);
    return last ? sortsBefore(task, last, list) : !page.nextCursor;
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
    const at = page.items.findIndex((item) => sortsBefore(task, item, list));
    const items = [...page.items];
    items.splice(at === -1 ? items.length : at, 0, task);
    return { ...page, items };
  });
}

function editPages(client: QueryClient, edit: (pages: ListPage[], list: ListInput) => ListPage[]): void {
  for (const [key, data] of client.getQueriesData<ListData>({ queryKey: taskListKey() })) {
    if (!data) continue;
    const list = inputOf(key);
    if (isInfinite(data)) {
      const next: ListData = { ...data, pages: edit(data.pages, list) };
      client.setQueryData(key, next);
    } else {
      const [page] = edit([data], list);
      if (page) client.setQueryData(key, page);
    }
  }
}

const without = (pages: ListPage[], id: string): ListPage[] =>
  pages.map((page) =>
    page.items.some((t) => t.id === id) ? { ...page, items: page.items.filter((t) => t.id !== id) } : page,
  );

function editCounts(client: QueryClient, edit: (counts: TaskCounts) => TaskCounts): void {
  client.setQueriesData<TaskCounts>({ queryKey: taskCountsKey() }, (counts) => counts && edit(counts));
}

/** Adds `by` to each count (negative to take away), never below zero. */
function addToCounts(client: QueryClient, by: TaskCounts): void {
  editCounts(client, (counts) => ({
    all: Math.max(0, counts.all + by.all),
    active: Math.max(0, counts.active + by.active),
    completed: Math.max(0, counts.completed + by.completed),
  }));
}

/** What one task adds to the counts (nothing when absent). */
const tally = (task: Task | null): TaskCounts => ({
  all: task ? 1 : 0,
  active: task && !task.completed ? 1 : 0,
  completed: task?.completed ? 1 : 0,
});

/**
 * Shows `next` where `shown` was, in every list and in the counts: `shown` null adds a task,
 * `next` null removes one. `shown` must be what the cache shows now (the optimistic state, during
 * a change), so that a change and its undo move the counts by exactly opposite amounts.
 */
export function replaceTask(client: QueryClient, shown: Task | null, next: Task | null): void {
  editPages(client, (pages, list) => {
    const rest = without(shown ? without(pages, shown.id) : pages, next?.id ?? '');
    return next && matchesList(next, list) ? insertSorted(rest, next, list) : rest;
  });
  const before = tally(shown);
  const after = tally(next);
  const by = {
    all: after.all - before.all,
    active: after.active - before.active,
    completed: after.completed - before.completed,
  };
  if (by.all !== 0 || by.active !== 0 || by.completed !== 0) addToCounts(client, by);
}

/**
 * Removes every completed task from the lists and sets the completed count to zero, as
 * `task.clearCompleted` will. Returns the rollback (it puts back the tasks and the counts, if the
 * server refuses) and the loaded tasks it removed (what an Undo shows again at once).
 */
export function clearCompletedTasks(client: QueryClient): { rollback: () => void; removed: Task[] } {
  const removed = new Map<string, Task>();
  editPages(client, (pages) =>
    pages.map((page) => {
      if (!page.items.some((t) => t.completed)) return page;
      for (const t of page.items) if (t.completed) removed.set(t.id, t);
      return { ...page, items: page.items.filter((t) => !t.completed) };
    }),
  );
  let cleared = 0;
  editCounts(client, (counts) => {
    cleared = counts.completed;
    return { ...counts, all: counts.all - counts.completed, completed: 0 };
  });
  const rollback = () => {
    editPages(client, (pages, list) =>
      [...removed.values()].reduce(
        (rest, t) => (matchesList(t, list) ? insertSorted(without(rest, t.id), t, list) : rest),
        pages,
      ),
    );
    addToCounts(client, { all: cleared, active: 0, completed: cleared });
  };
  return { rollback, removed: [...removed.values()] };
}

/**
 * Shows every task as `completed` (each loaded list and the counts), as `task.setAllCompleted`
 * will. Returns the undo: the lists and counts exactly as they were.
 */
export function setAllCompletedTasks(client: QueryClient, completed: boolean): () => void {
  const saved = client.getQueriesData<unknown>({ queryKey: taskQueriesKey() });
  const changed = new Map<string, Task>();
  for (const [, data] of client.getQueriesData<ListData>({ queryKey: taskListKey() })) {
    if (!data) continue;
    for (const page of isInfinite(data) ? data.pages : [data]) {
      for (const t of page.items) if (t.completed !== completed) changed.set(t.id, { ...t, completed });
    }
  }
  editPages(client, (pages, list) =>
    [...changed.values()].reduce(
      (rest, t) => (matchesList(t, list) ? insertSorted(without(rest, t.id), t, list) : without(rest, t.id)),
      pages,
    ),
  );
  editCounts(client, (counts) => ({
    all: counts.all,
    active: completed ? 0 : counts.all,
    completed: completed ? counts.all : 0,
  }));
  return () => {
    for (const [key, data] of saved) client.setQueryData(key, data);
  };
}

/** The loaded task with this id (the first found), as the lists show it now. */
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

/**
 * Applies one `task.changes` event from another tab or device (decisions D33) to the lists and
 * counts, without refetching: a task the cache holds at the same or a newer version is left as
 * it is (our own change, already shown); a change to a task not loaded (a later page) refetches
 * only the counts. Returns false when the lists must be refetched (a `resync`).
 */
export function applyTaskChange(client: QueryClient, event: TaskChangeEvent): boolean {
  const refreshCounts = () => void client.invalidateQueries({ queryKey: taskCountsKey() });
  switch (event.type) {
    case 'created':
    case 'updated': {
      const shown = findTask(client, event.task.id);
      // A move (D37) keeps the version: the same version with another position is news too.
      if (
        shown &&
        (shown.version > event.task.version ||
          (shown.version === event.task.version && shown.position === event.task.position))
      ) {
        return true;
      }
      replaceTask(client, shown ?? null, event.task);
      // An update of a task not loaded: the counts cannot tell what it was before.
      if (!shown && event.type === 'updated') refreshCounts();
      return true;
    }
    case 'deleted':
    case 'cleared': {
      let missed = false;
      for (const id of event.type === 'deleted' ? [event.id] : event.ids) {
        const shown = findTask(client, id);
        if (shown) replaceTask(client, shown, null);
        else missed = true;
      }
      if (missed) refreshCounts();
      return true;
    }
    case 'resync':
      return false;
  }
}
