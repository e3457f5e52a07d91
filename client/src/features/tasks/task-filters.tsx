import { Link } from 'react-router';
import type { TaskStatus } from '../../../../shared/task';
import type { TaskCounts } from './task-cache';

const FILTERS: { status: TaskStatus; label: string; href: string }[] = [
  { status: 'all', label: 'All', href: '/' },
  { status: 'active', label: 'Active', href: '/?filter=active' },
  { status: 'completed', label: 'Completed', href: '/?filter=completed' },
];

/** Real links (the filter lives in the URL: back button and reload keep it). */
export function TaskFilters({ current, counts }: { current: TaskStatus; counts: TaskCounts | undefined }) {
  return (
    <nav className="filters" aria-label="Filter tasks">
      <ul>
        {FILTERS.map((filter) => {
          const count = counts?.[filter.status] ?? null;
          return (
            <li key={filter.status}>
              <Link
                to={filter.href}
                className="filter"
                aria-current={filter.status === current ? 'page' : undefined}
              >
                {count === null ? filter.label : `${filter.label} `}
                {count !== null && <span className="count">{count}</span>}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
