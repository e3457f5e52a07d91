import { useCallback, useEffect, useRef, useState } from 'react';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

/** How long an informational notice ("deleted elsewhere") stays before it goes by itself. */
export const INFO_NOTICE_MS = 6_000;

let nextId = 1;

/**
 * Messages about refused or surprising changes (max five). An error stays until dismissed; an
 * informational notice expires after `infoMs` (it asks nothing of the person).
 */
export function useNotices(infoMs = INFO_NOTICE_MS) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());
  const dismiss = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);
  const push = useCallback(
    (kind: Notice['kind'], text: string) => {
      const id = nextId++;
      setNotices((list) => [...list.filter((n) => n.text !== text), { id, kind, text }].slice(-5));
      if (kind === 'info') {
        const timer = setTimeout(() => {
          timers.current.delete(timer);
          dismiss(id);
        }, infoMs);
        timers.current.add(timer);
      }
    },
    [dismiss, infoMs],
  );
  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach(clearTimeout);
  }, []);
  return { notices, push, dismiss };
}

export type Notices = ReturnType<typeof useNotices>;
