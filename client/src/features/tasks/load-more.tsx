interface LoadMoreProps {
  /** An infinite query's paging state (TanStack Query). */
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> };
  label: string;
}

/** "Load more" under a paged list: shown while there is a next page, busy while it loads. */
export function LoadMore({ list, label }: LoadMoreProps) {
  if (!list.hasNextPage) return null;
  return (
    <div className="load-more">
      <button
        type="button"
        className="button"
        onClick={() => void list.fetchNextPage()}
        disabled={list.isFetchingNextPage}
      >
        {list.isFetchingNextPage ? 'Loading more…' : label}
      </button>
    </div>
  );
}
