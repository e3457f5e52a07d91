import { useCallback, useState } from 'react';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

let nextId = 1;

/** Messages about refused or surprising changes; each stays until dismissed (max five). */
export function useNotices() {
  const [notices, setNotices] = useState<Notice[]>([]);
  const push = useCallback((kind: Notice['kind'], text: string) => {
    setNotices((list) => [...list.filter((n) => n.text !== text), { id: nextId++, kind, text }].slice(-5));
  }, []);
  const dismiss = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);
  return { notices, push, dismiss };
}

export type Notices = ReturnType<typeof useNotices>;
