import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { changePasswordSchema } from '../../../../shared/auth';
import { useServices } from '../../lib/services-context';
import { AuthProblemMessage } from '../../lib/forms/auth-problem-message';
import { describeAuthError, keepRetryAfter } from '../../lib/forms/auth-errors';
import { PasswordField } from '../../lib/forms/password-field';
import { useAuthForm } from '../../lib/forms/use-auth-form';
import { SESSIONS_QUERY_KEY } from './sessions-section';

const FIELDS = ['currentPassword', 'newPassword'] as const;

/**
 * Change password: the current one is required; every other device is signed out, this one stays
 * (Better Auth gives it a new session, and we fetch a token for it: the old ones are revoked).
 */
export function ChangePasswordForm() {
  const { authClient, session } = useServices();
  const queryClient = useQueryClient();
  const [changed, setChanged] = useState(false);

  const form = useAuthForm(changePasswordSchema, FIELDS, async (values) => {
    setChanged(false);
    const retryAfter = keepRetryAfter();
    const { error } = await authClient.changePassword(
      { currentPassword: values.currentPassword, newPassword: values.newPassword, revokeOtherSessions: true },
      retryAfter.fetchOptions,
    );
    if (error) return describeAuthError(error, 'change-password', retryAfter.seconds());
    await session.renew();
    await queryClient.invalidateQueries({ queryKey: SESSIONS_QUERY_KEY });
    form.reset();
    setChanged(true);
    return null;
  });

  return (
    <section className="card narrow account-section" aria-labelledby="change-password-title">
      <h2 id="change-password-title">Change password</h2>
      <div role="status">
        {changed && (
          <p className="notice notice-info">Password changed. Your other devices have been signed out.</p>
        )}
      </div>
      <form noValidate onSubmit={(e) => void form.onSubmit(e)} aria-busy={form.pending}>
        <AuthProblemMessage problem={form.problem} />
        <PasswordField
          {...form.register('currentPassword')}
          label="Current password"
          autoComplete="current-password"
        />
        <PasswordField
          {...form.register('newPassword')}
          label="New password"
          autoComplete="new-password"
          hint="8 to 128 characters. Your other devices will be signed out."
        />
        <button type="submit" className="button button-primary" disabled={form.pending}>
          {form.pending ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}
