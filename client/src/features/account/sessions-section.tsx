import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useServices } from '../../lib/services-context';
import { useEndSession } from '../../lib/use-end-session';
import { describeUserAgent } from './user-agent';

export const SESSIONS_QUERY_KEY = ['auth', 'sessions'] as const;

const when = (date: Date | string) =>
  new Date(date).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The devices signed in to the account (Better Auth's sessions), newest activity first: sign one
 * out, this one (an ordinary sign-out), or every other one at once.
 */
export function SessionsSection({ currentSessionId }: { currentSessionId: string | undefined }) {
  const { authClient } = useServices();
  const queryClient = useQueryClient();
  const endSession = useEndSession();
  const sessions = useQuery({
    queryKey: SESSIONS_QUERY_KEY,
    queryFn: async () => {
      const { data, error } = await authClient.listSessions();
      if (error) throw new Error('Could not load the sessions');
      return [...data].sort((a, b) => new Date(b.updatedAt).getTime() - new Date(a.updatedAt).getTime());
    },
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: SESSIONS_QUERY_KEY });
  const revoke = useMutation({
    mutationFn: async (token: string) => {
      const { error } = await authClient.revokeSession({ token });
      if (error) throw new Error('Could not sign that device out');
    },
    onSettled: refresh,
  });
  const revokeOthers = useMutation({
    mutationFn: async () => {
      const { error } = await authClient.revokeOtherSessions();
      if (error) throw new Error('Could not sign the other devices out');
    },
    onSettled: refresh,
  });
  const others = sessions.data?.filter((s) => s.id !== currentSessionId) ?? [];
  const failed = revoke.isError || revokeOthers.isError;

  return (
    <section className="card narrow account-section" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Signed-in devices</h2>
      <div role="alert">
        {failed && (
          <p className="notice notice-error">
            We couldn’t sign that out. Check your connection and try again.
          </p>
        )}
      </div>
      {sessions.isPending ? (
        <p role="status">Loading…</p>
      ) : sessions.isError ? (
        <p className="notice notice-error" role="alert">
          We couldn’t load your devices. Reload the page to try again.
        </p>
      ) : (
        <>
          <ul className="session-list" aria-label="Signed-in devices">
            {sessions.data.map((s) => {
              const device = describeUserAgent(s.userAgent);
              const current = s.id === currentSessionId;
              return (
                <li key={s.id}>
                  <div>
                    <strong>{device}</strong>
                    {current && <span> (this device)</span>}
                    <div className="session-when">
                      Signed in {when(s.createdAt)} · last active {when(s.updatedAt)}
                    </div>
                  </div>
                  {current ? (
                    <button
                      type="button"
                      className="button"
                      onClick={() => void endSession({ tellServer: true })}
                    >
                      Sign out of this device
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="button"
                      aria-label={`Sign out ${device}, signed in ${when(s.createdAt)}`}
                      disabled={revoke.isPending}
                      onClick={() => revoke.mutate(s.token)}
                    >
                      Sign out
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
          <button
            type="button"
            className="button"
            disabled={others.length === 0 || revokeOthers.isPending}
            onClick={() => revokeOthers.mutate()}
          >
            {revokeOthers.isPending ? 'Signing out…' : 'Sign out everywhere else'}
          </button>
        </>
      )}
    </section>
  );
}
