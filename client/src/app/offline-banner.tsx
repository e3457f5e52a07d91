import { useMutationState } from '@tanstack/react-query';
import { useOnline } from '../lib/offline/online-status';
import { useSession } from '../lib/services-context';

/**
 * Says, in words, that the browser is offline and what that means here: changes wait in this tab
 * and are sent once the connection is back. The live region is always rendered, so screen
 * readers announce the change when its text appears.
 */
export function OfflineBanner() {
  const online = useOnline();
  const status = useSession().status;
  // Changes TanStack Query holds back until the connection returns.
  const waiting = useMutationState({
    filters: { status: 'pending', predicate: (m) => m.state.isPaused },
  }).length;

  let text: string | null = null;
  if (!online) {
    // Paused changes live in this tab's memory (D36), so the banner asks to keep the tab open.
    text =
      status === 'signed-in'
        ? `You’re offline. Your changes will be sent when you’re back online; keep this tab open until then.${
            waiting > 0 ? ` ${waiting} ${waiting === 1 ? 'change' : 'changes'} waiting.` : ''
          }`
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
