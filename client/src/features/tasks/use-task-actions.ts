import { useMutationState, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { TASK_RESTORE_MAX, type TaskStatus } from '../../../../shared/task-rules';
import { randomUuid } from '../../../../shared/trpc-link';
import { trpc, type Task } from '../../lib/trpc';
import {
  clearCompletedTasks,
  findTask,
  replaceTask,
  setAllCompletedTasks,
  taskQueriesKey,
} from './task-cache';
import { classify, logRefusal, quote, refusalMessage } from './task-errors';
import type { Notices } from './notices';

/** Ids of optimistic tasks the server has not created yet. */
const PENDING_PREFIX = 'pending-';
/** Per page load: a list kept on the device (D38) may hold pending ids of an earlier load. */
const PENDING_RUN = randomUuid().slice(0, 8);
export const isPendingTask = (task: Task): boolean => task.id.startsWith(PENDING_PREFIX);

/** Sorts after every real timestamp, so a task being added shows first until the server answers. */
const PENDING_CREATED_AT = '9999-12-31T23:59:59.999Z';
/** Sorts before every real position key (D37): a task being added shows on top, as it will be. */
const PENDING_POSITION = '';
let pendingCounter = 0;

export type TaskEdit = Pick<Task, 'title' | 'description' | 'dueOn'>;

/** One move in the manual order (D37), as the list asks for it. */
export interface TaskMoveRequest {
  task: Task;
  after: Task | null;
  /** Undefined: the task goes below the last loaded one and more are not loaded (not checked). */
  before: Task | null | undefined;
  status: TaskStatus;
  /** A key between the neighbours' keys, shown until the server's arrives; null to wait for it. */
  position: string | null;
}

/**
 * How an edit ended: saved; refused (a message says why, the lists are put right); or in conflict
 * with a newer version, which the lists now show (`latest`) while the person's draft is kept.
 */
export type EditResult = { status: 'saved' } | { status: 'refused' } | { status: 'conflict'; latest: Task };

/**
 * Offers to undo a change that just succeeded (the Undo toast, D34); `focusId` is the task that
 * the undo brings back into view, where focus should go.
 */
export type OfferUndo = (text: string, undo: () => void, focusId?: string) => void;

const succeeded = (call: Promise<unknown>): Promise<boolean> =>
  call.then(
    () => true,
    () => false,
  );

/** The id a pending mutation is about, if its input names one (update, delete). */
const taskIdOf = (variables: unknown): string | undefined =>
  typeof variables === 'object' && variables !== null && 'id' in variables && typeof variables.id === 'string'
    ? variables.id
    : undefined;

/**
 * Add, edit, complete, delete and clear completed with optimistic updates, as TanStack Query
 * mutations: `onMutate` changes the lists and counts at once, `onError` undoes the change (with a
 * message) if the server refuses, `onSuccess` shows the server's answer, and `onSettled` of the
 * last change in flight re-fetches, so the server has the last word. What is in flight is read
 * from the mutation cache.
 */
export function useTaskActions(notices: Notices, announce: (text: string) => void, offerUndo: OfferUndo) {
  const utils = trpc.useUtils();
  const queryClient = useQueryClient();

  /** Stops list and count fetches that would overwrite the optimistic edit that follows. */
  const begin = () => {
    // Not awaited: cancelling reverts in-flight fetches synchronously, so the optimistic edit
    // made next (in onMutate, right after the click) is not overwritten (no checkbox flicker).
    void queryClient.cancelQueries({ queryKey: taskQueriesKey() });
  };
  /** Re-fetches lists and counts once no task change is in flight (this one still counts). */
  const settle = () => {
    if (queryClient.isMutating({ mutationKey: taskQueriesKey() }) === 1) {
      void queryClient.invalidateQueries({ queryKey: taskQueriesKey() });
    }
  };

  /**
   * Explains a refusal and puts the lists right: undo, drop the task, or show its latest version.
   * `task` is the task as it was before the change, `shown` what the cache shows now.
   */
  async function refused(
    error: unknown,
    task: Task,
    shown: Task | null,
    action: string,
    undo: () => void,
    /** The editor keeps the draft and offers "Keep mine" / "Use theirs" itself: no message. */
    draftKept = false,
  ) {
    const refusal = classify(error);
    logRefusal(error, action);
    const what = quote(task.title);
    if (refusal === 'conflict') {
      const latest = await utils.task.get.fetch({ id: task.id }, { staleTime: 0 }).catch(() => null);
      if (latest) {
        replaceTask(queryClient, shown, latest);
        // An edit replayed after a lost answer meets its own first send: it was saved (D36).
        if (shown && (['title', 'description', 'completed'] as const).every((k) => latest[k] === shown[k]))
          return;
        if (draftKept) return;
        notices.push(
          'error',
          `${what} was changed somewhere else, so your edit wasn’t saved. The latest version is shown.${
            // Say what was typed, so an edit made long ago (offline) is not lost without a trace.
            shown && shown.title !== task.title ? ` Your title was ${quote(shown.title)}.` : ''
          }`,
        );
        return;
      }
    }
    if (refusal === 'not-found') {
      replaceTask(queryClient, shown, null);
      // Nothing the person can do about it: information, not an error, and it expires.
      notices.push(
        'info',
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
    if (refusal !== 'unauthorized') notices.push('error', refusalMessage(refusal, action, task.title, error));
  }

  /**
   * Tasks the lists no longer show but whose state the counts still hold: what a tick that left the
   * current filter saved, for its Undo to show again at once (read by `optimistic`).
   */
  const offList = useRef(new Map<string, Task>());

  /** The task as the lists show it before a change, and as it will show during the change. */
  const optimistic = (id: string, change: Partial<Task> | null) => {
    const known = offList.current.get(id);
    offList.current.delete(id);
    const before = findTask(queryClient, id) ?? known;
    const shown = before && change ? { ...before, ...change } : null;
    if (before) replaceTask(queryClient, before, shown);
    return { before, shown };
  };

  const createMutation = trpc.task.create.useMutation({
    onMutate(input) {
      begin();
      pendingCounter += 1;
      const temp: Task = {
        id: `${PENDING_PREFIX}${PENDING_RUN}-${pendingCounter}`,
        userId: '',
        title: input.title,
        description: input.description ?? null,
        completed: false,
        version: 1,
        createdAt: PENDING_CREATED_AT,
        updatedAt: PENDING_CREATED_AT,
        dueOn: input.dueOn ?? null,
        position: PENDING_POSITION,
      };
      replaceTask(queryClient, null, temp);
      return { temp };
    },
    onSuccess(created, _input, { temp }) {
      replaceTask(queryClient, temp, created);
      announce(`Added ${quote(created.title)}.`);
    },
    async onError(error, _input, context) {
      if (!context) return;
      const { temp } = context;
      await refused(error, temp, temp, 'add', () => replaceTask(queryClient, temp, null));
    },
    onSettled: settle,
  });

  /** Completing and editing: both are `task.update`; what differs is the wording. */
  const updateMutation = trpc.task.update.useMutation({
    onMutate({ id, title, description, completed, dueOn }) {
      begin();
      const change: Partial<Task> = {
        ...(title !== undefined && { title }),
        ...(description !== undefined && { description }),
        ...(completed !== undefined && { completed }),
        ...(dueOn !== undefined && { dueOn }),
      };
      return {
        ...optimistic(id, change),
        isEdit: title !== undefined || description !== undefined || dueOn !== undefined,
      };
    },
    onSuccess(saved, _input, { shown, isEdit }) {
      // A task the lists no longer showed stays out: the refresh in onSettled decides.
      if (shown) replaceTask(queryClient, shown, saved);
      announce(
        isEdit
          ? `Saved ${quote(saved.title)}.`
          : `${quote(saved.title)} marked as ${saved.completed ? 'completed' : 'not completed'}.`,
      );
    },
    async onError(error, _input, context) {
      if (!context?.before) return;
      const { before, shown, isEdit } = context;
      await refused(
        error,
        before,
        shown,
        isEdit ? 'save' : 'update',
        () => replaceTask(queryClient, shown, before),
        isEdit,
      );
    },
    onSettled: settle,
  });

  const deleteMutation = trpc.task.delete.useMutation({
    onMutate({ id }) {
      begin();
      return optimistic(id, null);
    },
    onSuccess(_deleted, _input, { before }) {
      // The toast says it (role=status), so the live region stays quiet.
      if (before) {
        offerUndo(`Deleted ${quote(before.title)}.`, () => restore([before.id], [before]), before.id);
      }
    },
    async onError(error, _input, context) {
      if (!context?.before) return;
      const { before } = context;
      if (classify(error) === 'not-found') {
        // What the person wanted has happened; just say it was already gone.
        notices.push('info', `${quote(before.title)} had already been deleted somewhere else.`);
        return;
      }
      await refused(error, before, null, 'delete', () => replaceTask(queryClient, null, before));
    },
    onSettled: settle,
  });

  /**
   * Deletes every completed task, including those on pages not loaded yet, in one call; the
   * completed tasks leave the lists at once and come back if the server refuses.
   */
  const clearMutation = trpc.task.clearCompleted.useMutation({
    onMutate() {
      begin();
      return clearCompletedTasks(queryClient);
    },
    onSuccess({ deleted, ids }, _input, { removed }) {
      // Tasks completed elsewhere may still show here as active: the server's list decides.
      for (const id of ids) {
        const shown = findTask(queryClient, id);
        if (shown) replaceTask(queryClient, shown, null);
      }
      const text = `Deleted ${deleted} completed ${deleted === 1 ? 'task' : 'tasks'}.`;
      if (ids.length > 0) offerUndo(text, () => restore(ids, removed), removed[0]?.id);
      else announce(text);
    },
    onError(error, _input, context) {
      context?.rollback();
      const refusal = classify(error);
      logRefusal(error, 'clear completed');
      if (refusal === 'unauthorized') return;
      const why =
        refusal === 'rate-limited'
          ? ': too many changes at once'
          : refusal === 'unreachable'
            ? ': the server didn’t respond (check your connection)'
            : refusal === 'unavailable'
              ? ': the server is too busy right now'
              : '';
      notices.push('error', `Couldn’t clear completed tasks${why}. They were put back; please try again.`);
    },
    onSettled: settle,
  });

  const restoreMutation = trpc.task.restore.useMutation({ onSettled: settle });

  /**
   * Undoes a delete or a clear (D34): the tasks still known here show again at once, the server
   * restores them all (in calls of at most TASK_RESTORE_MAX), and its versions replace them.
   */
  function restore(ids: string[], known: Task[]) {
    begin();
    const shown = new Map<string, Task>();
    for (const task of known) {
      if (findTask(queryClient, task.id)) continue;
      replaceTask(queryClient, null, task);
      shown.set(task.id, task);
    }
    for (let start = 0; start < ids.length; start += TASK_RESTORE_MAX) {
      const chunk = ids.slice(start, start + TASK_RESTORE_MAX);
      restoreMutation.mutateAsync({ ids: chunk }).then(
        ({ items }) => {
          for (const task of items) {
            replaceTask(queryClient, shown.get(task.id) ?? findTask(queryClient, task.id) ?? null, task);
          }
          const [only] = items;
          announce(
            items.length === 1 && only
              ? `Restored ${quote(only.title)}.`
              : `Restored ${items.length} ${items.length === 1 ? 'task' : 'tasks'}.`,
          );
        },
        (error: unknown) => {
          for (const id of chunk) {
            const task = shown.get(id);
            if (task) replaceTask(queryClient, findTask(queryClient, id) ?? task, null);
          }
          const refusal = classify(error);
          logRefusal(error, 'restore');
          if (refusal === 'unauthorized') return;
          const [only] = known;
          const what = chunk.length === 1 && only ? quote(only.title) : 'the deleted tasks';
          notices.push(
            'error',
            refusal === 'not-found'
              ? `Couldn’t restore ${what}: ${chunk.length === 1 ? 'it is' : 'they are'} no longer restorable.`
              : refusalMessage(refusal, 'restore', only?.title ?? 'the deleted tasks', error),
          );
        },
      );
    }
  }
  /** Every task completed (or every one active) in one call, shown at once, undone if refused. */
  const setAllMutation = trpc.task.setAllCompleted.useMutation({
    onMutate({ completed }) {
      begin();
      return { undo: setAllCompletedTasks(queryClient, completed) };
    },
    onSuccess({ updated, tasks }, { completed }) {
      // The new versions, so a later edit of one of them is not a false CONFLICT.
      for (const { id, version } of tasks) {
        const shown = findTask(queryClient, id);
        if (shown) replaceTask(queryClient, shown, { ...shown, completed, version });
      }
      const what = updated === 1 ? '1 task' : `${updated} tasks`;
      announce(completed ? `Marked ${what} as completed.` : `Marked ${what} as not completed.`);
    },
    onError(error, { completed }, context) {
      context?.undo();
      const refusal = classify(error);
      logRefusal(error, completed ? 'complete all' : 'mark all active');
      if (refusal === 'unauthorized') return;
      notices.push(
        'error',
        `Couldn’t mark all tasks as ${completed ? 'completed' : 'not completed'}${
          refusal === 'unreachable' ? ': the server didn’t respond (check your connection)' : ''
        }. Nothing was changed; please try again.`,
      );
    },
    onSettled: settle,
  });

  /**
   * Manual order (D37): the task shows at its new place at once (`position`, a key the caller
   * computed between the neighbours it sees); the server's key replaces it. A stale move (the
   * list changed elsewhere) puts the task back and reloads the list.
   */
  const moveMutation = trpc.task.move.useMutation({
    onMutate({ id }) {
      begin();
      const position = pendingPositions.get(id);
      pendingPositions.delete(id);
      return optimistic(id, position === undefined ? {} : { position });
    },
    onSuccess(saved, _input, { shown }) {
      if (shown) replaceTask(queryClient, shown, saved);
    },
    async onError(error, _input, context) {
      if (!context?.before) return;
      const { before, shown } = context;
      if (classify(error) === 'conflict') {
        replaceTask(queryClient, shown, before);
        logRefusal(error, 'move');
        notices.push(
          'info',
          `${quote(before.title)} wasn’t moved: the list changed somewhere else. The latest order is shown; please try again.`,
        );
        return;
      }
      await refused(error, before, shown, 'move', () => replaceTask(queryClient, shown, before));
    },
    onSettled: settle,
  });
  /** The optimistic key of the next move of a task (set just before `mutate`, read in onMutate). */
  const pendingPositions = useRef(new Map<string, string>()).current;

  /** Tasks with a change in flight, from the mutation cache. */
  const busyIds = useMutationState({
    filters: { mutationKey: taskQueriesKey(), status: 'pending' },
    select: (mutation) => taskIdOf(mutation.state.variables),
  });
  const busy: ReadonlySet<string> = new Set(busyIds.filter((id) => id !== undefined));

  // `mutate` for changes nobody waits on (onError has said what went wrong); `mutateAsync` where
  // the caller needs to know whether the server took it.
  return {
    /** Resolves false when the server refused (the typed text should be given back). */
    create: (fields: TaskEdit): Promise<boolean> =>
      // The key is part of the change itself, so a replay after reconnecting sends the same one.
      succeeded(
        createMutation.mutateAsync({
          title: fields.title,
          description: fields.description,
          ...(fields.dueOn !== null && { dueOn: fields.dueOn }),
          idempotencyKey: randomUuid(),
        }),
      ),
    /**
     * An explicit value (not "toggle"): two quick clicks or two tabs cannot cancel out. With
     * `undoable` (the tick takes the task out of the filter shown), the toast offers to set it back,
     * versioned, so an Undo never overwrites a change made elsewhere since.
     */
    setCompleted: (task: Task, completed: boolean, { undoable = false } = {}) => {
      updateMutation.mutateAsync({ id: task.id, completed }).then(
        (saved) => {
          if (!undoable) return;
          offerUndo(
            `${quote(saved.title)} marked as ${saved.completed ? 'completed' : 'not completed'}.`,
            () => {
              offList.current.set(saved.id, saved);
              updateMutation.mutate({ id: saved.id, completed: !saved.completed, version: saved.version });
            },
            saved.id,
          );
        },
        // onError has put the list right and said why.
        () => {},
      );
    },
    /** Sent with the version the person saw: a newer one on the server is a CONFLICT. */
    edit: async (task: Task, changes: TaskEdit): Promise<EditResult> => {
      try {
        await updateMutation.mutateAsync({
          id: task.id,
          title: changes.title,
          description: changes.description,
          dueOn: changes.dueOn,
          version: task.version,
        });
        return { status: 'saved' };
      } catch (error) {
        // onError has fetched the latest version into the lists (or, failing that, undone the edit).
        const latest = classify(error) === 'conflict' ? findTask(queryClient, task.id) : undefined;
        // An edit replayed after a lost answer meets its own first send: it was saved (D36).
        if (
          latest &&
          latest.title === changes.title &&
          latest.description === changes.description &&
          latest.dueOn === changes.dueOn
        ) {
          return { status: 'saved' };
        }
        return latest && latest.version !== task.version
          ? { status: 'conflict', latest }
          : { status: 'refused' };
      }
    },
    /**
     * Moves `task` right below `after` (null: to the top) and right above `before` (null: to the
     * bottom; undefined: below the last loaded task of a longer list), in the list `status`.
     * `position` is shown until the server answers.
     */
    move: (move: TaskMoveRequest) => {
      if (move.position !== null) pendingPositions.set(move.task.id, move.position);
      moveMutation.mutate({
        id: move.task.id,
        after: move.after?.id ?? null,
        ...(move.before !== undefined && { before: move.before?.id ?? null }),
        status: move.status,
      });
    },
    remove: (task: Task) => deleteMutation.mutate({ id: task.id }),
    clearCompleted: () => clearMutation.mutate(),
    clearing: clearMutation.isPending,
    setAllCompleted: (completed: boolean) => setAllMutation.mutate({ completed }),
    settingAll: setAllMutation.isPending,
    busy,
  };
}
