import { keepPreviousData } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useRef, useState, type ComponentType } from 'react';
import { Link, useSearchParams } from 'react-router';
import { TASK_LIST_LIMIT_DEFAULT } from '../../../../shared/task-rules';
import { trpc, type Task } from '../../lib/trpc';
import { useDocumentTitle } from '../../lib/use-document-title';
import { LoadMore } from './load-more';
import { NewTaskForm } from './new-task-form';
import { NoticeList } from './notice-list';
import { useNotices } from './notices';
import { classify, logRefusal } from './task-errors';
import { localDate } from './due-date';
import { FILTER_LABELS, isDueView, parseFilter, TaskFilters, type TaskView } from './task-filters';
import { TaskItem } from './task-item';
import type { SortableRow, SortableTaskListProps } from './sortable-task-list';
import { useTaskCounts } from './use-task-counts';
import { LiveIndicator } from './live-indicator';
import { useLiveUpdates } from './use-live-updates';
import { TaskSearch } from './task-search';
import { UndoToast } from './undo-toast';
import { isPendingTask, useTaskActions, type OfferUndo } from './use-task-actions';
import { useUndoOffer } from './use-undo-offer';

/**
 * Drag and keyboard reordering (D37), loaded on demand: the first load stays small. The page asks
 * for it as it mounts, so it arrives with the list (usually first); the list waits for it rather
 * than showing rows that would be replaced (and lose focus) a moment later. If it cannot load,
 * the list shows without reordering.
 */
let sortableTaskList: Promise<{ default: ComponentType<SortableTaskListProps> }> | undefined;
const loadSortableTaskList = () => (sortableTaskList ??= import('./sortable-task-list'));
const SortableTaskList = lazy(() =>
  loadSortableTaskList().catch(() => {
    sortableTaskList = undefined;
    return { default: PlainTaskList };
  }),
);

/** The list without reordering: what a failed load of the reorder code falls back to. */
function PlainTaskList({ tasks, listRef, label, renderItem }: SortableTaskListProps) {
  return (
    <ul className="task-list" ref={listRef} aria-label={label}>
      {tasks.map((task) => renderItem(task, undefined))}
    </ul>
  );
}

/** How long focus waits for the task an Undo brings back before it settles on the new-task field. */
const UNDO_FOCUS_WAIT_MS = 3_000;

const EMPTY: Record<TaskView, string> = {
  all: 'No tasks yet. Add your first one above.',
  active: 'Nothing left to do. Enjoy!',
  completed: 'No completed tasks yet.',
  today: 'Nothing due today or overdue.',
  upcoming: 'Nothing due after today.',
};

export function TasksPage() {
  const [params] = useSearchParams();
  const filter = parseFilter(params.get('filter'));
  useDocumentTitle(filter === 'all' ? 'Your tasks' : `${FILTER_LABELS[filter]} tasks`);

  useEffect(() => {
    void loadSortableTaskList();
  }, []);
  const notices = useNotices();
  const [announcement, setAnnouncement] = useState('');
  const announce = useCallback((text: string) => setAnnouncement(text), []);
  const undoOffers = useUndoOffer();
  const { show: showUndo } = undoOffers;
  // The Undo button goes away when pressed: focus moves to the task it brings back.
  const focusAfterUndo = useRef<{ id: string | undefined; until: number } | null>(null);
  const offerUndo = useCallback<OfferUndo>(
    (text, undo, focusId) =>
      showUndo(text, () => {
        focusAfterUndo.current = { id: focusId, until: Date.now() + UNDO_FOCUS_WAIT_MS };
        undo();
      }),
    [showUndo],
  );
  const actions = useTaskActions(notices, announce, offerUndo);
  const counts = useTaskCounts();
  const live = useLiveUpdates();
  const [confirmingClear, setConfirmingClear] = useState(false);
  const clearButton = useRef<HTMLButtonElement>(null);
  const returnToClear = useRef(false);
  // Cancelling the prompt puts focus back on the button that opened it.
  useEffect(() => {
    if (!confirmingClear && returnToClear.current) {
      returnToClear.current = false;
      clearButton.current?.focus();
    }
  }, [confirmingClear]);
  // A person with no tasks at all sees the invitation to add one, not filters and "0 tasks left".
  const noTasksAtAll = counts?.all === 0 && filter === 'all';

  // The person's date, read each render: after midnight the Today view asks again (a new key).
  const today = localDate();
  const [search, setSearch] = useState('');
  const list = trpc.task.list.useInfiniteQuery(
    {
      ...(isDueView(filter) ? { due: filter, today } : { status: filter }),
      ...(search && { search }),
      limit: TASK_LIST_LIMIT_DEFAULT,
    },
    {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
      // While searching, the last results stay until the new ones arrive (no spinner per key).
      placeholderData: search ? keepPreviousData : undefined,
    },
  );
  const tasks: Task[] = list.data?.pages.flatMap((page) => page.items) ?? [];

  // After a delete, focus goes to the neighbouring task (or the new-task field if none is left).
  const listRef = useRef<HTMLUListElement>(null);
  const focusAfterDelete = useRef<{ id: string; index: number } | null>(null);
  useEffect(() => {
    const deleted = focusAfterDelete.current;
    if (!deleted || tasks.some((t) => t.id === deleted.id)) return;
    focusAfterDelete.current = null;
    const { index } = deleted;
    const toggles = listRef.current?.querySelectorAll<HTMLInputElement>('[data-task-control="toggle"]') ?? [];
    const target = toggles[Math.min(index, toggles.length - 1)];
    if (target) target.focus();
    else document.querySelector<HTMLInputElement>('.new-task-title')?.focus();
  });

  useEffect(() => {
    const wanted = focusAfterUndo.current;
    if (!wanted) return;
    const toggle = wanted.id
      ? listRef.current?.querySelector<HTMLInputElement>(
          `[data-task-id="${CSS.escape(wanted.id)}"] [data-task-control="toggle"]`,
        )
      : null;
    if (toggle) toggle.focus();
    else if (Date.now() < wanted.until) return;
    else if (document.activeElement === document.body) {
      document.querySelector<HTMLInputElement>('.new-task-title')?.focus();
    }
    focusAfterUndo.current = null;
  });

  /** Ticking a task in Active or Completed takes it out of the list: that is undoable. */
  const onToggle = (task: Task, completed: boolean) =>
    actions.setCompleted(task, completed, { undoable: filter !== 'all' });

  function onDelete(task: Task) {
    focusAfterDelete.current = { id: task.id, index: tasks.findIndex((t) => t.id === task.id) };
    actions.remove(task);
  }

  useEffect(() => {
    if (list.error) logRefusal(list.error, 'load tasks');
  }, [list.error]);

  function clearCompleted() {
    setConfirmingClear(false);
    actions.clearCompleted();
  }

  function cancelClear() {
    setConfirmingClear(false);
    returnToClear.current = true;
  }

  const label = search
    ? `${FILTER_LABELS[filter]} tasks matching “${search}”`
    : `${FILTER_LABELS[filter]} tasks`;
  const item = (task: Task, sortable?: SortableRow) => (
    <TaskItem
      key={task.id}
      task={task}
      pending={isPendingTask(task) || actions.busy.has(task.id)}
      onToggle={onToggle}
      onEdit={actions.edit}
      onDelete={onDelete}
      today={today}
      sortable={sortable}
    />
  );
  const loading = (
    <div className="list-status" role="status">
      <span className="spinner" aria-hidden="true" /> Loading your tasks…
    </div>
  );
  // All, Active and Completed can be reordered (D37); a due view has its own order (by date) and a
  // search shows only part of the list, so neither offers it.
  const taskList =
    isDueView(filter) || search ? (
      <ul className="task-list" ref={listRef} aria-label={label}>
        {tasks.map((task) => item(task))}
      </ul>
    ) : (
      <Suspense fallback={loading}>
        <SortableTaskList
          tasks={tasks}
          status={filter}
          hasMore={list.hasNextPage}
          listRef={listRef}
          label={label}
          onMove={actions.move}
          announce={announce}
          renderItem={item}
        />
      </Suspense>
    );

  return (
    <section className="tasks" aria-labelledby="tasks-title">
      <div className="tasks-title-row">
        <h1 id="tasks-title" className="tasks-heading">
          Your tasks
        </h1>
        <LiveIndicator state={live} />
      </div>
      <NewTaskForm onAdd={actions.create} />
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
      <NoticeList notices={notices.notices} onDismiss={notices.dismiss} />
      <div className="card task-panel">
        {!noTasksAtAll && <TaskFilters current={filter} counts={counts} />}
        {!noTasksAtAll && <TaskSearch onSearch={setSearch} />}
        {counts && counts.all > 0 && !isDueView(filter) && !search && (
          // TodoMVC's toggle-all: ticked when every task is completed; unticking reopens them all.
          // Not in a due view or a search: it acts on every task, and there it would reach tasks not shown.
          <label className="toggle-all">
            <input
              type="checkbox"
              checked={counts.active === 0}
              onChange={(e) => actions.setAllCompleted(e.target.checked)}
              disabled={actions.settingAll}
            />
            Mark all as complete
          </label>
        )}
        {list.isPending ? (
          <div className="list-status" role="status">
            <span className="spinner" aria-hidden="true" /> Loading your tasks…
          </div>
        ) : list.isError && !list.data ? (
          <div className="list-status" role="alert">
            <p>
              {classify(list.error) === 'unreachable'
                ? 'We couldn’t reach the server to load your tasks.'
                : 'Your tasks couldn’t be loaded.'}
            </p>
            <button type="button" className="button" onClick={() => void list.refetch()}>
              Try again
            </button>
          </div>
        ) : tasks.length === 0 ? (
          <p className="list-status empty">{search ? `No tasks match “${search}”.` : EMPTY[filter]}</p>
        ) : (
          taskList
        )}
        <LoadMore list={list} label="Load more tasks" />
        {list.isError && list.data && (
          <p className="list-status" role="alert">
            {list.isFetchNextPageError ? 'Couldn’t load more tasks.' : 'Couldn’t refresh your tasks.'}{' '}
            <button
              type="button"
              className="button button-link"
              onClick={() => void (list.isFetchNextPageError ? list.fetchNextPage() : list.refetch())}
            >
              Try again
            </button>
          </p>
        )}
        {!noTasksAtAll && (
          <footer className="task-footer">
            <span>{counts && `${counts.active} ${counts.active === 1 ? 'task' : 'tasks'} left`}</span>
            {counts &&
              counts.completed > 0 &&
              (confirmingClear ? (
                <span
                  className="confirm"
                  role="group"
                  aria-label="Confirm clearing completed tasks"
                  onKeyDown={(e) => {
                    if (e.key === 'Escape') {
                      e.preventDefault();
                      cancelClear();
                    }
                  }}
                >
                  <span>Delete all completed tasks?</span>
                  <button type="button" className="button button-danger" onClick={clearCompleted} autoFocus>
                    Delete
                  </button>
                  <button type="button" className="button" onClick={cancelClear}>
                    Cancel
                  </button>
                </span>
              ) : (
                <button
                  type="button"
                  ref={clearButton}
                  className="button button-quiet"
                  onClick={() => setConfirmingClear(true)}
                  disabled={actions.clearing}
                >
                  {actions.clearing ? 'Clearing…' : `Clear completed (${counts.completed})`}
                </button>
              ))}
          </footer>
        )}
      </div>
      <p className="tasks-aside">
        <Link to="/deleted">Recently deleted</Link>
      </p>
      <UndoToast offers={undoOffers} />
    </section>
  );
}
