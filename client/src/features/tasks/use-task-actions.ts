import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import { trpc, type Task } from '../../lib/trpc';
import { clearCompletedTasks, findTask, replaceTask, taskQueriesKey } from './task-cache';
import { classify, quote, refusalMessage } from './task-errors';
import type { Notices } from './notices';

/** Ids of optimistic tasks the server has not created yet. */
export const PENDING_PREFIX = 'pending-';
export const isPendingTask = (task: Task): boolean => task.id.startsWith(PENDING_PREFIX);

/** The busy mark of "Clear completed" (not a task id). */
const CLEAR_COMPLETED = 'clear-completed';

/** Sorts after every real timestamp, so a task being added shows first until the server answers. */
const PENDING_CREATED_AT = '9999-12-31T23:59:59.999Z';
let pendingCounter = 0;

export interface TaskEdit {
  title: string;
  description: string | null;
}

/**
 * Add, edit, complete, delete and clear completed with optimistic updates: the lists and counts
 * change at once, the change is undone (with a message) if the server refuses, and the server's
 * answer wins.
 */
export function useTaskActions(notices: Notices, announce: (text: string) => void) {
  const utils = trpc.useUtils();
  const queryClient = useQueryClient();
  const inflight = useRef(0);
  const [busy, setBusy] = useState<ReadonlySet<string>>(() => new Set());

  const mark = (id: string, on: boolean) =>
    setBusy((set) => {
      const next = new Set(set);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  /**
   * Runs one change: stops list and count fetches that would overwrite it, refreshes both from
   * the server when no change is in flight any more.
   */
  const run = useCallback(
    async <T>(id: string, optimistic: () => void, call: () => Promise<T>): Promise<T> => {
      inflight.current += 1;
      mark(id, true);
      // Cancelling reverts in-flight fetches synchronously, so the optimistic edit that follows
      // in the same tick is not overwritten, and a controlled checkbox never flickers back.
      void queryClient.cancelQueries({ queryKey: taskQueriesKey() });
      optimistic();
      try {
        return await call();
      } finally {
        inflight.current -= 1;
        mark(id, false);
        if (inflight.current === 0) void queryClient.invalidateQueries({ queryKey: taskQueriesKey() });
      }
    },
    [queryClient],
  );

  /**
   * Explains a refusal and puts the lists right: undo, drop the task, or show its latest version.
   * `task` is the task as it was before the change, `shown` what the cache shows now.
   */
  const refused = useCallback(
    async (error: unknown, task: Task, shown: Task | null, action: string, undo: () => void) => {
      const refusal = classify(error);
      const what = quote(task.title);
      if (refusal === 'conflict') {
        const latest = await utils.client.task.get.query({ id: task.id }).catch(() => null);
        if (latest) {
          replaceTask(queryClient, shown, latest);
          // The refresh started when the call failed may have landed while we asked: recount.
          void queryClient.invalidateQueries({ queryKey: taskQueriesKey() });
          notices.push(
            'error',
            `${what} was changed somewhere else, so your edit wasn’t saved. The latest version is shown.`,
          );
          return;
        }
      }
      if (refusal === 'not-found') {
        replaceTask(queryClient, shown, null);
        notices.push(
          'error',
          `${what} no longer exists: it was deleted somewhere else (another tab or device).`,
        );
        return;
      }
      if (refusal === 'forbidden') {
        replaceTask(queryClient, shown, null);
        notices.push('error', `${what} belongs to another account, so it was removed from this list.`);
        return;
      }
      undo();
      // UNAUTHORIZED after a renewal means the session is gone: the sign-in page explains.
      if (refusal !== 'unauthorized')
        notices.push('error', refusalMessage(refusal, action, task.title, error));
    },
    [notices, queryClient, utils],
  );

  const create = useCallback(
    async (input: TaskEdit): Promise<boolean> => {
      pendingCounter += 1;
      const temp: Task = {
        id: `${PENDING_PREFIX}${pendingCounter}`,
        userId: '',
        title: input.title,
        description: input.description,
        completed: false,
        version: 1,
        createdAt: PENDING_CREATED_AT,
        updatedAt: PENDING_CREATED_AT,
      };
      try {
        const created = await run(
          temp.id,
          () => replaceTask(queryClient, null, temp),
          () => utils.client.task.create.mutate({ title: input.title, description: input.description }),
        );
        replaceTask(queryClient, temp, created);
        announce(`Added ${quote(created.title)}.`);
        return true;
      } catch (error) {
        await refused(error, temp, temp, 'add', () => replaceTask(queryClient, temp, null));
        return false;
      }
    },
    [announce, queryClient, refused, run, utils],
  );

  const setCompleted = useCallback(
    async (task: Task, completed: boolean) => {
      const shown: Task = { ...task, completed };
      try {
        const saved = await run(
          task.id,
          () => replaceTask(queryClient, task, shown),
          // An explicit value (not "toggle"): two quick clicks or two tabs cannot cancel out.
          () => utils.client.task.update.mutate({ id: task.id, completed }),
        );
        replaceTask(queryClient, shown, saved);
        announce(`${quote(saved.title)} marked as ${saved.completed ? 'completed' : 'not completed'}.`);
      } catch (error) {
        await refused(error, task, shown, 'update', () => replaceTask(queryClient, shown, task));
      }
    },
    [announce, queryClient, refused, run, utils],
  );

  const edit = useCallback(
    async (task: Task, changes: TaskEdit): Promise<boolean> => {
      const shown: Task = { ...task, ...changes };
      try {
        const saved = await run(
          task.id,
          () => replaceTask(queryClient, task, shown),
          () =>
            utils.client.task.update.mutate({
              id: task.id,
              title: changes.title,
              description: changes.description,
              version: task.version,
            }),
        );
        replaceTask(queryClient, shown, saved);
        announce(`Saved ${quote(saved.title)}.`);
        return true;
      } catch (error) {
        await refused(error, task, shown, 'save', () => replaceTask(queryClient, shown, task));
        return false;
      }
    },
    [announce, queryClient, refused, run, utils],
  );

  const remove = useCallback(
    async (task: Task) => {
      try {
        await run(
          task.id,
          () => replaceTask(queryClient, task, null),
          () => utils.client.task.delete.mutate({ id: task.id }),
        );
        announce(`Deleted ${quote(task.title)}.`);
      } catch (error) {
        if (classify(error) === 'not-found') {
          // What the person wanted has happened; just say it was already gone.
          notices.push('info', `${quote(task.title)} had already been deleted somewhere else.`);
          return;
        }
        await refused(error, task, null, 'delete', () => replaceTask(queryClient, null, task));
      }
    },
    [announce, notices, queryClient, refused, run, utils],
  );

  /**
   * Deletes every completed task, including those on pages not loaded yet, in one call; the
   * completed tasks leave the lists at once and come back if the server refuses.
   */
  const clearCompleted = useCallback(async () => {
    let undo = () => {};
    try {
      const { deleted, ids } = await run(
        CLEAR_COMPLETED,
        () => {
          undo = clearCompletedTasks(queryClient);
        },
        () => utils.client.task.clearCompleted.mutate(),
      );
      // Tasks completed elsewhere may still show here as active: the server's list decides.
      for (const id of ids) {
        const shown = findTask(queryClient, id);
        if (shown) replaceTask(queryClient, shown, null);
      }
      announce(`Deleted ${deleted} completed ${deleted === 1 ? 'task' : 'tasks'}.`);
    } catch (error) {
      undo();
      const refusal = classify(error);
      if (refusal === 'unauthorized') return;
      const why =
        refusal === 'rate-limited'
          ? ': too many changes at once'
          : refusal === 'unreachable'
            ? ': the server didn’t respond'
            : '';
      notices.push('error', `Couldn’t clear completed tasks${why}. They were put back; please try again.`);
    }
  }, [announce, notices, queryClient, run, utils]);

  return { create, setCompleted, edit, remove, clearCompleted, busy };
}

export type TaskActions = ReturnType<typeof useTaskActions>;
