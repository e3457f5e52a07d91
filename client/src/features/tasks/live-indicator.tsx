import type { LiveState } from './live-connection';

const LABELS: Record<LiveState, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

const TITLES: Record<LiveState, string> = {
  connecting: 'Connecting for live updates',
  connected: 'Changes from your other tabs and devices appear here as they happen',
  reconnecting: 'Live updates paused; reconnecting and catching up',
  offline: 'You are offline; changes from other devices will appear when you reconnect',
};

/** Whether changes from other devices arrive live; announced politely when it changes. */
export function LiveIndicator({ state }: { state: LiveState }) {
  return (
    <span
      className={`live-indicator live-${state}`}
      aria-live="polite"
      title={TITLES[state]}
      data-live-state={state}
    >
      <span className="live-dot" aria-hidden="true" />
      <span className="live-label">{LABELS[state]}</span>
    </span>
  );
}
