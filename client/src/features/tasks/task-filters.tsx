import { Link } from 'react-router';
import { taskDueViews, taskStatuses, type TaskDueView, type TaskStatus } from '../../../../shared/task-rules';
import type { TaskCounts } from './task-cache';

/** A list the page can show: by status, or a planning view by due date. */
export type TaskView = TaskStatus | TaskDueView;
const taskViews: readonly TaskView[] = [...taskStatuses, ...taskDueViews];

export const isDueView = (view: TaskView): view is TaskDueView => view === 'today' || view === 'upcoming';

/** The one wording of each filter: its link, the list's label and the page title use it. */
export const FILTER_LABELS: Record<TaskView, string> = {
  all: 'All',
  active: 'Active',
  completed: 'Completed',
  today: 'Today',
  upcoming: 'Upcoming',
};

/** The filter is the `filter` search parameter; absent means all. */
const filterHref = (status: TaskView): string => (status === 'all' ? '/' : `/?filter=${status}`);

/** `?filter=` as a view; anything unknown shows all. */
export const parseFilter = (value: string | null): TaskView => taskViews.find((s) => s === value) ?? 'all';

/** Real links (the filter lives in the URL: back button and reload keep it). */
export function TaskFilters({ current, counts }: { current: TaskView; counts: TaskCounts | undefined }) {
  return (
    <nav className="filters" aria-label="Filter tasks">
      <ul>
        {taskViews.map((status) => {
          // The due views have no count: task.counts stays one cheap statement.
          const count = isDueView(status) ? null : (counts?.[status] ?? null);
          const label = FILTER_LABELS[status];
          return (
            <li key={status}>
              <Link
                to={filterHref(status)}
                className="filter"
                aria-current={status === current ? 'page' : undefined}
              >
                {count === null ? label : `${label} `}
                {count !== null && <span className="count">{count}</span>}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
