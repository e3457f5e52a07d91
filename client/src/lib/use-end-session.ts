import { useNavigate } from 'react-router';
import { useServices } from './services-context';
import type { SignInState } from './sign-in-state';

/**
 * Forgets this browser's session everywhere in the app (token, cached data, other tabs) and goes
 * to sign-in. `tellServer` ends the server session first (sign-out); without it the server has
 * already ended it (a reset or a deleted account).
 */
export function useEndSession() {
  const { authClient, session, queryClient, broadcast } = useServices();
  const navigate = useNavigate();
  return async function endSession(opts: { tellServer: boolean; state?: SignInState }): Promise<void> {
    try {
      if (opts.tellServer) await authClient.signOut();
    } catch {
      // Forget everything locally even if the server could not be told.
    } finally {
      session.clear();
      queryClient.clear();
      broadcast('signed-out');
      // A page behind RequireAuth redirects to sign-in by itself once it renders signed out (with
      // "continue to the page you opened"); this navigation comes after it, and replaces it.
      await new Promise((resolve) => setTimeout(resolve, 0));
      void navigate('/sign-in', { replace: true, state: opts.state });
    }
  };
}
