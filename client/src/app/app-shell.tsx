import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useSession } from '../lib/services-context';
import { useEndSession } from '../lib/use-end-session';
import { VerifyEmailBanner } from '../features/account/verify-email-banner';
import { AccountMenu } from './account-menu';
import { KeptListNotes } from './kept-list-notes';
import { OfflineBanner } from './offline-banner';

/** Header (app name, the account menu with sign-out) around every page. */
export function AppShell({ children }: { children: ReactNode }) {
  const snapshot = useSession();
  const endSession = useEndSession();
  const [signingOut, setSigningOut] = useState(false);

  async function signOut() {
    setSigningOut(true);
    await endSession({ tellServer: true });
    setSigningOut(false);
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
        <OfflineBanner />
        {snapshot.status === 'signed-in' && <KeptListNotes />}
        {snapshot.status === 'signed-in' && <VerifyEmailBanner />}
        {children}
      </main>
    </div>
  );
}
