import { useEffect } from 'react';

/** Sets the tab title to "<page> · Tasks" (screen readers announce it on navigation). */
export function useDocumentTitle(page: string): void {
  useEffect(() => {
    document.title = `${page} · Tasks`;
  }, [page]);
}
