import { useEffect, useRef, useState } from 'react';
import { TASK_SEARCH_MAX } from '../../../../shared/task-rules';

/** How long typing must pause before the list is asked again: one request per burst of keys. */
export const SEARCH_DEBOUNCE_MS = 250;

/**
 * The search box: reports what to search for once typing pauses; Escape clears it at once (and
 * a second Escape is left to the page).
 */
export function TaskSearch({ onSearch }: { onSearch: (search: string) => void }) {
  const [text, setText] = useState('');
  const latest = useRef(onSearch);
  latest.current = onSearch;

  useEffect(() => {
    const timer = setTimeout(() => latest.current(text.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  return (
    <div className="task-search" role="search">
      <input
        type="search"
        aria-label="Search tasks"
        placeholder="Search tasks"
        value={text}
        maxLength={TASK_SEARCH_MAX}
        autoComplete="off"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && text !== '') {
            e.preventDefault();
            setText('');
            latest.current('');
          }
        }}
      />
    </div>
  );
}
