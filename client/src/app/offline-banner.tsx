import { useMutationState } from '@tanstack/react-query';
import { useOnline } from '../lib/offline/online-status';
import { useKeptList, useSession } from '../lib/services-context';

/** "at 09:41" today, "on 2 Dec at 09:41" on another day, in the person's locale. */
export function seenWhen(ms: number, now = new Date()): string {
  const seen = new Date(ms);
  const time = seen.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (seen.toDateString() === now.toDateString()) return `at ${time}`;
  return `on ${seen.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} at ${time}`;
}

/**
 * Says, in words, that the browser is offline and what that means here: changes wait in this tab
 * and are sent once the connection is back. The live region is always rendered, so screen
 * readers announce the change when its text appears.
 */
export function OfflineBanner() {
  const online = useOnline();
  const status = useSession().status;
  const kept = useKeptList();
  // Changes TanStack Query holds back until the connection returns.
  const waiting = useMutationState({
    filters: { status: 'pending', predicate: (m) => m.state.isPaused },
  }).length;

  const waitingText = waiting > 0 ? ` ${waiting} ${waiting === 1 ? 'change' : 'changes'} waiting.` : '';
  let text: string | null = null;
  if (!online) {
    text =
      status === 'signed-in' && kept.chosen
        ? // Kept on the device (D38): the list may be old, so say when it was last seen.
          `You’re offline. ${
            kept.lastSeenAt === null ? '' : `Showing your list as last seen ${seenWhen(kept.lastSeenAt)}. `
          }Your changes are kept on this device and sent when you’re back online.${waitingText}`
        : status === 'signed-in'
          ? // Paused changes live in this tab's memory (D36), so the banner asks to keep the tab open.
            `You’re offline. Your changes will be sent when you’re back online; keep this tab open until then.${waitingText}`
          : status === 'signed-out'
            ? 'You’re offline. Signing in needs a connection.'
            : 'You’re offline.';
  }

  return (
    <div className="offline-region" role="status">
      {text && (
        <p className="offline-banner">
          <span className="offline-banner-label">Offline</span> {text}
        </p>
      )}
    </div>
  );
}
