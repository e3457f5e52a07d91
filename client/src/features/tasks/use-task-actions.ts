import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import { trpc, type Task } from '../../lib/trpc';
import { findTask, removeTask, taskListKey, writeTask } from './task-cache';
import { classify, quote, refusalMessage } from './task-errors';
import type { Notices } from './notices';

/** Ids of optimistic tasks the server has not created yet. */
export const PENDING_PREFIX = 'pending-';
export const isPendingTask = (task: Task): boolean => task.id.startsWith(PENDING_PREFIX);

/** Sorts after every real timestamp, so a task being added shows first until the server answers. */
const PENDING_CREATED_AT = '9999-12-31T23:59:59.999Z';
let pendingCounter = 0;

export interface TaskEdit {
  title: string;
  description: string | null;
}

/**
 * Add, edit, complete and delete with optimistic updates: the list changes at once, the
 * change is undone (with a message) if the server refuses, and the server's answer wins.
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

  /** Runs one change: stops list fetches that would overwrite it, refreshes lists when all are done. */
  const run = useCallback(
    async <T>(id: string, optimistic: () => void, call: () => Promise<T>): Promise<T> => {
      inflight.current += 1;
      mark(id, true);
      // Cancelling reverts in-flight list fetches synchronously, so the optimistic edit that
      // follows in the same tick is not overwritten, and a controlled checkbox never flickers back.
      void queryClient.cancelQueries({ queryKey: taskListKey() });
      optimistic();
      try {
        return await call();
      } finally {
        inflight.current -= 1;
        mark(id, false);
        if (inflight.current === 0) void queryClient.invalidateQueries({ queryKey: taskListKey() });
      }
    },
    [queryClient],
  );

  /** Explains a refusal and puts the list right: undo, drop the task, or show its latest version. */
  const refused = useCallback(
    async (error: unknown, task: Task, action: string, undo: () => void) => {
      const refusal = classify(error);
      const what = quote(task.title);
      if (refusal === 'conflict') {
        const latest = await utils.client.task.get.query({ id: task.id }).catch(() => null);
        if (latest) {
          writeTask(queryClient, latest);
          notices.push(
            'error',
            `${what} was changed somewhere else, so your edit wasn’t saved. The latest version is shown.`,
          );
          return;
        }
      }
      if (refusal === 'not-found') {
        removeTask(queryClient, task.id);
        notices.push(
          'error',
          `${what} no longer exists: it was deleted somewhere else (another tab or device).`,
        );
        return;
      }
      if (refusal === 'forbidden') {
        removeTask(queryClient, task.id);
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
          () => writeTask(queryClient, temp),
          () => utils.client.task.create.mutate({ title: input.title, description: input.description }),
        );
        writeTask(queryClient, created, temp.id);
        announce(`Added ${quote(created.title)}.`);
        return true;
      } catch (error) {
        await refused(error, temp, 'add', () => removeTask(queryClient, temp.id));
        return false;
      }
    },
    [announce, queryClient, refused, run, utils],
  );

  const setCompleted = useCallback(
    async (task: Task, completed: boolean) => {
      try {
        const saved = await run(
          task.id,
          () => writeTask(queryClient, { ...task, completed }),
          // An explicit value (not "toggle"): two quick clicks or two tabs cannot cancel out.
          () => utils.client.task.update.mutate({ id: task.id, completed }),
        );
        writeTask(queryClient, saved);
        announce(`${quote(saved.title)} marked as ${saved.completed ? 'completed' : 'not completed'}.`);
      } catch (error) {
        await refused(error, task, 'update', () => writeTask(queryClient, task));
      }
    },
    [announce, queryClient, refused, run, utils],
  );

  const edit = useCallback(
    async (task: Task, changes: TaskEdit): Promise<boolean> => {
      try {
        const saved = await run(
          task.id,
          () => writeTask(queryClient, { ...task, ...changes }),
          () =>
            utils.client.task.update.mutate({
              id: task.id,
              title: changes.title,
              description: changes.description,
              version: task.version,
            }),
        );
        writeTask(queryClient, saved);
        announce(`Saved ${quote(saved.title)}.`);
        return true;
      } catch (error) {
        await refused(error, task, 'save', () => writeTask(queryClient, task));
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
          () => removeTask(queryClient, task.id),
          () => utils.client.task.delete.mutate({ id: task.id }),
        );
        announce(`Deleted ${quote(task.title)}.`);
      } catch (error) {
        if (classify(error) === 'not-found') {
          // What the person wanted has happened; just say it was already gone.
          notices.push('info', `${quote(task.title)} had already been deleted somewhere else.`);
          return;
        }
        await refused(error, task, 'delete', () => writeTask(queryClient, task));
      }
    },
    [announce, notices, queryClient, refused, run, utils],
  );

  /** Deletes every completed task, including those on pages not loaded yet. */
  const clearCompleted = useCallback(async () => {
    const completed: Task[] = [];
    try {
      let cursor: string | undefined;
      do {
        const page = await utils.client.task.list.query({ status: 'completed', limit: 100, cursor });
        completed.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    } catch (error) {
      notices.push('error', refusalMessage(classify(error), 'clear', 'completed tasks', error));
      return;
    }
    const results = await Promise.allSettled(completed.map((task) => remove(task)));
    const left = completed.filter((task) => findTask(queryClient, task.id)).length;
    const done = results.length - left;
    announce(
      left === 0
        ? `Deleted ${done} completed ${done === 1 ? 'task' : 'tasks'}.`
        : `Deleted ${done} completed tasks; ${left} could not be deleted.`,
    );
  }, [announce, notices, queryClient, remove, utils]);

  return { create, setCompleted, edit, remove, clearCompleted, busy };
}

export type TaskActions = ReturnType<typeof useTaskActions>;
