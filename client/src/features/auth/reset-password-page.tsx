import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { resetPasswordSchema } from '../../../../shared/auth';
import { useServices } from '../../lib/services-context';
import { useDocumentTitle } from '../../lib/use-document-title';
import { AuthProblemMessage } from '../../lib/forms/auth-problem-message';
import { describeAuthError, keepRetryAfter } from '../../lib/forms/auth-errors';
import { PasswordField } from '../../lib/forms/password-field';
import { useAuthForm } from '../../lib/forms/use-auth-form';

const FIELDS = ['newPassword'] as const;

/** Where the reset mail's link lands (`/reset-password?token=…`): choose the new password. */
export function ResetPasswordPage() {
  useDocumentTitle('Choose a new password');
  const { authClient, session, queryClient, broadcast } = useServices();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [done, setDone] = useState(false);

  const form = useAuthForm(resetPasswordSchema, FIELDS, async (values) => {
    const retryAfter = keepRetryAfter();
    const { error } = await authClient.resetPassword(
      { newPassword: values.newPassword, token },
      retryAfter.fetchOptions,
    );
    if (error) return describeAuthError(error, 'reset-password', retryAfter.seconds());
    // The server ended every session of the account, this browser's included.
    session.clear();
    queryClient.clear();
    broadcast('signed-out');
    setDone(true);
    return null;
  });

  return (
    <section className="card narrow auth" aria-labelledby="reset-title">
      <h1 id="reset-title">Choose a new password</h1>
      {!token ? (
        <p className="notice notice-error" role="alert">
          This page needs the link from the reset mail.{' '}
          <Link to="/forgot-password">Ask for a reset link</Link>
        </p>
      ) : done ? (
        <p className="notice notice-info" role="status">
          Your password has been changed, and every device signed in to your account has been signed out.{' '}
          <Link to="/sign-in">Sign in with your new password</Link>
        </p>
      ) : (
        <form noValidate onSubmit={(e) => void form.onSubmit(e)} aria-busy={form.pending}>
          <AuthProblemMessage problem={form.problem} />
          <PasswordField
            {...form.register('newPassword')}
            label="New password"
            autoComplete="new-password"
            hint="8 to 128 characters."
            autoFocus
          />
          <button type="submit" className="button button-primary wide" disabled={form.pending}>
            {form.pending ? 'Saving…' : 'Set new password'}
          </button>
        </form>
      )}
    </section>
  );
}
