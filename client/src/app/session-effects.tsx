import { useEffect, useRef } from 'react';
import { useOnline } from '../lib/offline/online-status';
import { useServices, useSession } from '../lib/services-context';

/**
 * Starts the session on load, renews the token when the tab comes back, and empties the
 * query cache whenever the signed-in user changes, so nobody sees a previous user's tasks.
 */
export function SessionEffects() {
  const { session, queryClient } = useServices();
  const snapshot = useSession();
  const userId = snapshot.status === 'signed-in' ? snapshot.userId : null;
  const previousUser = useRef<string | null>(null);
  const online = useOnline();

  useEffect(() => {
    if (session.getSnapshot().status === 'loading') void session.start().catch(() => undefined);
    const onVisible = () => {
      if (document.visibilityState === 'visible') session.onFocus();
    };
    const onFocus = () => session.onFocus();
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('focus', onFocus);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('focus', onFocus);
    };
  }, [session]);

  // Opened without a connection: find out who is signed in as soon as it is back. A list kept on
  // the device (D38) is trusted no further than that answer: an ended session wipes it.
  useEffect(() => {
    const now = session.getSnapshot();
    const unconfirmed =
      now.status === 'unavailable' || (now.status === 'signed-in' && now.fromDevice === true);
    if (online && unconfirmed) void session.start().catch(() => undefined);
  }, [online, session]);

  useEffect(() => {
    if (previousUser.current !== userId) {
      if (previousUser.current !== null) queryClient.clear();
      previousUser.current = userId;
    }
  }, [userId, queryClient]);

  return null;
}
