import { Link } from 'react-router';
import type { TaskStatus } from '../../../../shared/task';
import type { TaskCounts } from './use-task-counts';

const FILTERS: { status: TaskStatus; label: string; href: string }[] = [
  { status: 'all', label: 'All', href: '/' },
  { status: 'active', label: 'Active', href: '/?filter=active' },
  { status: 'completed', label: 'Completed', href: '/?filter=completed' },
];

/** Real links (the filter lives in the URL: back button and reload keep it). */
export function TaskFilters({ current, counts }: { current: TaskStatus; counts: TaskCounts }) {
  return (
    <nav className="filters" aria-label="Filter tasks">
      <ul>
        {FILTERS.map((filter) => (
          <li key={filter.status}>
            <Link to={filter.href} className="filter" aria-current={filter.status === current ? 'page' : undefined}>
              {filter.label}
              {counts[filter.status] !== null && (
                <span className="count">
                  <span className="visually-hidden">, </span>
                  {counts[filter.status]}
                  <span className="visually-hidden"> tasks</span>
                </span>
              )}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
