import { Link } from 'react-router';
import { taskStatuses, type TaskStatus } from '../../../../shared/task';
import type { TaskCounts } from './task-cache';

/** The one wording of each filter: its link, the list's label and the page title use it. */
export const FILTER_LABELS: Record<TaskStatus, string> = {
  all: 'All',
  active: 'Active',
  completed: 'Completed',
};

/** The filter is the `filter` search parameter; absent means all. */
const filterHref = (status: TaskStatus): string => (status === 'all' ? '/' : `/?filter=${status}`);

/** `?filter=` as a status; anything unknown shows all. */
export const parseFilter = (value: string | null): TaskStatus =>
  taskStatuses.find((s) => s === value) ?? 'all';

/** Real links (the filter lives in the URL: back button and reload keep it). */
export function TaskFilters({ current, counts }: { current: TaskStatus; counts: TaskCounts | undefined }) {
  return (
    <nav className="filters" aria-label="Filter tasks">
      <ul>
        {taskStatuses.map((status) => {
          const count = counts?.[status] ?? null;
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
