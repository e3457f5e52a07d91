import type { Notice } from './notices';

/** Visible, dismissible messages; errors are announced by screen readers as they appear. */
export function NoticeList({ notices, onDismiss }: { notices: Notice[]; onDismiss: (id: number) => void }) {
  return (
    <div className="notices">
      {notices.map((notice) => (
        <div
          key={notice.id}
          className={`notice notice-${notice.kind}`}
          role={notice.kind === 'error' ? 'alert' : 'status'}
        >
          <span className="notice-text">{notice.text}</span>
          <button
            type="button"
            className="button button-quiet notice-dismiss"
            onClick={() => onDismiss(notice.id)}
            aria-label="Dismiss message"
          >
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
