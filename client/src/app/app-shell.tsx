import { useState, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { useServices, useSession } from '../lib/services-context';
import { AccountMenu } from './account-menu';

/** Header (app name, the account menu with sign-out) around every page. */
export function AppShell({ children }: { children: ReactNode }) {
  const snapshot = useSession();
  const { authClient, session, queryClient, broadcast } = useServices();
  const navigate = useNavigate();
  const [signingOut, setSigningOut] = useState(false);

  async function signOut() {
    setSigningOut(true);
    try {
      await authClient.signOut();
    } catch {
      // Forget everything locally even if the server could not be told.
    } finally {
      session.clear();
      queryClient.clear();
      broadcast('signed-out');
      setSigningOut(false);
      void navigate('/sign-in', { replace: true });
    }
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          <img src="/favicon.svg" alt="" width="24" height="24" />
          <span>Tasks</span>
        </Link>
        {snapshot.status === 'signed-in' && (
          <AccountMenu email={snapshot.email} signingOut={signingOut} onSignOut={() => void signOut()} />
        )}
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
