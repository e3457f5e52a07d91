import { useDocumentTitle } from '../../lib/use-document-title';
import { ChangePasswordForm } from './change-password-form';
import { DeleteAccountForm } from './delete-account-form';
import { KeepListSection } from './keep-list-section';
import { SessionsSection } from './sessions-section';
import { useAccount } from './use-account';

/** `/account`: who is signed in, change password, devices signed in, delete the account. */
export function AccountPage() {
  useDocumentTitle('Account');
  const account = useAccount();

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
            <dd>
              {account.data.user.email}
              {account.data.user.emailVerified === false && ' (not verified yet)'}
            </dd>
          </dl>
        )}
      </section>
      <KeepListSection />
      <ChangePasswordForm />
      <SessionsSection currentSessionId={account.data?.session.id} />
      <DeleteAccountForm />
    </div>
  );
}
