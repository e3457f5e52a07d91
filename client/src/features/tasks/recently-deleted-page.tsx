import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Link } from 'react-router';
import { TASK_LIST_LIMIT_DEFAULT } from '../../../../shared/task-rules';
import { trpc, type RouterOutputs } from '../../lib/trpc';
import { useDocumentTitle } from '../../lib/use-document-title';
import { LoadMore } from './load-more';
import { classify, logRefusal, quote, refusalMessage } from './task-errors';

type DeletedTask = RouterOutputs['task']['listDeleted']['items'][number];

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "3 minutes ago", "yesterday": the largest unit that fits. */
function ago(iso: string, now: number): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

/** Days a deleted task is kept, as the server says (its `purgeAt` is that long after `deletedAt`). */
const keptDays = (task: DeletedTask): number =>
  Math.round((Date.parse(task.purgeAt) - Date.parse(task.deletedAt)) / 86_400_000);

/**
 * "Recently deleted" (D40): the tasks deleted in the last days (the retention, 7 by default), last
 * deleted first. Each can be restored to the list or deleted for good; "Empty" deletes them all
 * for good. Both ask first, and say what happened in words a screen reader hears.
 */
export function RecentlyDeletedPage() {
  useDocumentTitle('Recently deleted');
  const utils = trpc.useUtils();
  const list = trpc.task.listDeleted.useInfiniteQuery(
    { limit: TASK_LIST_LIMIT_DEFAULT },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const tasks: DeletedTask[] = list.data?.pages.flatMap((page) => page.items) ?? [];
  const [confirming, setConfirming] = useState<string | 'all' | null>(null);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [message, setMessage] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  const returnFocusTo = useRef<string | null>(null);
  const now = Date.now();

  // Cancelling a confirmation puts focus back on the button that opened it.
  useEffect(() => {
    if (confirming === null && returnFocusTo.current) {
      document
        .querySelector<HTMLButtonElement>(`[data-opens="${CSS.escape(returnFocusTo.current)}"]`)
        ?.focus();
      returnFocusTo.current = null;
    }
  }, [confirming]);

  /** The list, the counts and this page all change with a restore or a removal. */
  const refresh = () => utils.task.invalidate();

  const settle = (ids: string[]) => {
    setBusy((current) => new Set([...current].filter((id) => !ids.includes(id))));
    // Focus stays on the page (the row it was in is gone).
    heading.current?.focus();
  };

  const restore = trpc.task.restore.useMutation();
  const deleteForever = trpc.task.deleteForever.useMutation();
  const empty = trpc.task.emptyDeleted.useMutation();

  async function run(task: DeletedTask, action: 'restore' | 'delete for good') {
    setConfirming(null);
    setMessage(null);
    setBusy((current) => new Set(current).add(task.id));
    try {
      if (action === 'restore') {
        await restore.mutateAsync({ ids: [task.id] });
        setAnnouncement(`Restored ${quote(task.title)} to your list.`);
      } else {
        await deleteForever.mutateAsync({ ids: [task.id] });
        setAnnouncement(`Deleted ${quote(task.title)} for good.`);
      }
    } catch (error) {
      logRefusal(error, action === 'restore' ? 'restore' : 'deleteForever');
      const refusal = classify(error);
      setMessage(
        refusal === 'not-found'
          ? `${quote(task.title)} is no longer here: it was restored or removed on another device, or its time ran out.`
          : refusalMessage(refusal, action, task.title, error),
      );
    } finally {
      await refresh();
      settle([task.id]);
    }
  }

  async function emptyAll() {
    setConfirming(null);
    setMessage(null);
    try {
      const { deleted } = await empty.mutateAsync();
      setAnnouncement(`Deleted ${deleted} ${deleted === 1 ? 'task' : 'tasks'} for good.`);
    } catch (error) {
      logRefusal(error, 'emptyDeleted');
      setMessage(refusalMessage(classify(error), 'delete for good', 'the deleted tasks', error));
    } finally {
      await refresh();
      heading.current?.focus();
    }
  }

  function cancel() {
    returnFocusTo.current = confirming;
    setConfirming(null);
  }

  const onEscape = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      cancel();
    }
  };

  const days = tasks[0] ? keptDays(tasks[0]) : null;

  return (
    <section className="recently-deleted" aria-labelledby="recently-deleted-title">
      <h1 id="recently-deleted-title" className="tasks-heading" ref={heading} tabIndex={-1}>
        Recently deleted
      </h1>
      <p className="lead">
        Deleted tasks stay here {days ? `for ${days} ${days === 1 ? 'day' : 'days'}` : 'for a few days'}, then
        they are removed for good. Restore one to put it back in <Link to="/">your list</Link>.
      </p>
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
      {message && (
        <p className="notice notice-error" role="alert">
          {message}
        </p>
      )}

      <div className="card">
        {list.isPending ? (
          <div className="list-status" role="status">
            <span className="spinner" aria-hidden="true" /> Loading…
          </div>
        ) : list.isError && !list.data ? (
          <div className="list-status" role="alert">
            <p>Your deleted tasks couldn’t be loaded.</p>
            <button type="button" className="button" onClick={() => void list.refetch()}>
              Try again
            </button>
          </div>
        ) : tasks.length === 0 ? (
          <p className="list-status empty">
            Nothing here. Tasks you delete can be restored from here for a while.
          </p>
        ) : (
          <>
            <ul className="deleted-list" aria-label="Deleted tasks">
              {tasks.map((task) => (
                <li key={task.id} className="deleted-item" aria-busy={busy.has(task.id) || undefined}>
                  <div className="deleted-text">
                    <span className={task.completed ? 'deleted-title done' : 'deleted-title'}>
                      {task.title}
                    </span>
                    <span className="deleted-when">
                      Deleted {ago(task.deletedAt, now)} · removed for good on{' '}
                      <time dateTime={task.purgeAt}>{dateFormat.format(new Date(task.purgeAt))}</time>
                    </span>
                  </div>
                  {confirming === task.id ? (
                    <span
                      className="confirm"
                      role="group"
                      aria-label={`Confirm deleting ${task.title} for good`}
                      onKeyDown={onEscape}
                    >
                      <span>Delete for good? This can’t be undone.</span>
                      <button
                        type="button"
                        className="button button-danger"
                        onClick={() => void run(task, 'delete for good')}
                        autoFocus
                      >
                        Delete for good
                      </button>
                      <button type="button" className="button" onClick={cancel}>
                        Cancel
                      </button>
                    </span>
                  ) : (
                    <span className="deleted-actions">
                      <button
                        type="button"
                        className="button"
                        onClick={() => void run(task, 'restore')}
                        disabled={busy.has(task.id)}
                        aria-label={`Restore ${task.title}`}
                      >
                        Restore
                      </button>
                      <button
                        type="button"
                        className="button button-quiet"
                        data-opens={task.id}
                        onClick={() => setConfirming(task.id)}
                        disabled={busy.has(task.id)}
                        aria-label={`Delete ${task.title} for good`}
                      >
                        Delete for good
                      </button>
                    </span>
                  )}
                </li>
              ))}
            </ul>
            <LoadMore list={list} label="Load more" />
            <footer className="task-footer">
              {confirming === 'all' ? (
                <span className="confirm" role="group" aria-label="Confirm emptying" onKeyDown={onEscape}>
                  <span>Delete every task here for good? This can’t be undone.</span>
                  <button
                    type="button"
                    className="button button-danger"
                    onClick={() => void emptyAll()}
                    autoFocus
                  >
                    Delete all for good
                  </button>
                  <button type="button" className="button" onClick={cancel}>
                    Cancel
                  </button>
                </span>
              ) : (
                <button
                  type="button"
                  className="button button-quiet"
                  data-opens="all"
                  onClick={() => setConfirming('all')}
                  disabled={empty.isPending}
                >
                  {empty.isPending ? 'Deleting…' : 'Empty recently deleted'}
                </button>
              )}
            </footer>
          </>
        )}
      </div>
    </section>
  );
}
