import { useQuery } from '@tanstack/react-query';
import { useServices } from '../../lib/services-context';
import { useDocumentTitle } from '../../lib/use-document-title';
import { ChangePasswordForm } from './change-password-form';
import { DeleteAccountForm } from './delete-account-form';
import { SessionsSection } from './sessions-section';

/** Query key of the signed-in account as Better Auth describes it (name, email, this session). */
export const ACCOUNT_QUERY_KEY = ['auth', 'account'] as const;

/** `/account`: who is signed in, change password, devices signed in, delete the account. */
export function AccountPage() {
  useDocumentTitle('Account');
  const { authClient } = useServices();
  const account = useQuery({
    queryKey: ACCOUNT_QUERY_KEY,
    queryFn: async () => {
      const { data, error } = await authClient.getSession();
      if (error || !data) throw new Error('Could not load the account');
      return data;
    },
  });

  return (
    <div className="account-page">
      <section className="card narrow account-section" aria-labelledby="account-title">
        <h1 id="account-title">Account</h1>
        {account.isPending ? (
          <p role="status">Loading…</p>
        ) : account.isError ? (
          <p className="notice notice-error" role="alert">
            We couldn’t load your account. Reload the page to try again.
          </p>
        ) : (
          <dl className="account-facts">
            <dt>Name</dt>
            <dd>{account.data.user.name}</dd>
            <dt>Email</dt>
            <dd>{account.data.user.email}</dd>
          </dl>
        )}
      </section>
      <ChangePasswordForm />
      <SessionsSection currentSessionId={account.data?.session.id} />
      <DeleteAccountForm />
    </div>
  );
}
