/**
 * Due dates are calendar dates (`YYYY-MM-DD`, no zone): "today" is the person's own date, read
 * from the device's clock in its time zone, and sent to the server with the Today/Upcoming views.
 */

const pad = (n: number) => String(n).padStart(2, '0');

/** The device's local date as `YYYY-MM-DD` (not `toISOString()`, which is the UTC date). */
export const localDate = (now: Date = new Date()): string =>
  `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;

/** Due before today and not done. String order is date order for `YYYY-MM-DD`. */
export const isOverdue = (task: { dueOn: string | null; completed: boolean }, today: string): boolean =>
  task.dueOn !== null && !task.completed && task.dueOn < today;

/** "Today", "Tomorrow", or the date in the person's language ("5 Dec", "5 Dec 2027" another year). */
export function dueLabel(dueOn: string, today: string): string {
  if (dueOn === today) return 'today';
  const [y = 0, m = 1, d = 1] = dueOn.split('-').map(Number);
  // Local noon: far from any daylight-saving edge, so the date shown is the date stored.
  const date = new Date(y, m - 1, d, 12);
  const tomorrow = new Date(`${today}T12:00:00`);
  tomorrow.setDate(tomorrow.getDate() + 1);
  if (localDate(tomorrow) === dueOn) return 'tomorrow';
  return date.toLocaleDateString(undefined, {
    day: 'numeric',
    month: 'short',
    ...(dueOn.slice(0, 4) !== today.slice(0, 4) && { year: 'numeric' }),
  });
}
