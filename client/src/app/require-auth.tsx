import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { signInPath } from '../features/auth/safe-next';
import { useOnline } from '../lib/offline/online-status';
import type { SignInState } from '../lib/sign-in-state';
import { useServices, useSession } from '../lib/services-context';

/** Renders its children for a signed-in user; sends anyone else to sign-in and back afterwards. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const snapshot = useSession();
  const location = useLocation();
  const { session } = useServices();
  const online = useOnline();

  if (snapshot.status === 'loading') {
    return (
      <div className="page-status" role="status">
        <span className="spinner" aria-hidden="true" /> Loading…
      </div>
    );
  }
  if (snapshot.status === 'unavailable' && !online) {
    // A reload without a connection: the service worker served the app, but who is signed in and
    // their list come from the server (nothing personal is kept on the device; D36).
    return (
      <div className="page-status" role="status">
        <p>Your list needs a connection. It loads by itself when you’re back online.</p>
      </div>
    );
  }
  if (snapshot.status === 'unavailable') {
    return (
      <div className="page-status" role="alert">
        <p>We can’t reach the server right now. Check your connection.</p>
        <button type="button" className="button" onClick={() => void session.start().catch(() => undefined)}>
          Try again
        </button>
      </div>
    );
  }
  if (snapshot.status === 'signed-out') {
    const state: SignInState = { sessionEnded: snapshot.ended };
    return <Navigate to={signInPath(location.pathname + location.search)} replace state={state} />;
  }
  return children;
}
