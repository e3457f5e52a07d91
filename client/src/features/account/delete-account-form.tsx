import { useId, useState } from 'react';
import { deleteAccountSchema } from '../../../../shared/auth';
import { useServices } from '../../lib/services-context';
import { useEndSession } from '../../lib/use-end-session';
import { AuthProblemMessage } from '../../lib/forms/auth-problem-message';
import { describeAuthError, keepRetryAfter } from '../../lib/forms/auth-errors';
import { PasswordField } from '../../lib/forms/password-field';
import { useAuthForm } from '../../lib/forms/use-auth-form';

const FIELDS = ['password'] as const;

/** Deletes the account, its tasks and every session, after the password and an explicit tick. */
export function DeleteAccountForm() {
  const { authClient } = useServices();
  const endSession = useEndSession();
  const confirmId = useId();
  const [confirmed, setConfirmed] = useState(false);
  const [confirmMissing, setConfirmMissing] = useState(false);

  const form = useAuthForm(deleteAccountSchema, FIELDS, async (values) => {
    if (!confirmed) {
      setConfirmMissing(true);
      return { message: 'Tick the box to confirm that you want to delete everything.' };
    }
    const retryAfter = keepRetryAfter();
    const { error } = await authClient.deleteUser({ password: values.password }, retryAfter.fetchOptions);
    if (error) return describeAuthError(error, 'delete-account', retryAfter.seconds());
    await endSession({ tellServer: false, state: { accountDeleted: true } });
    return null;
  });

  return (
    <section className="card narrow account-section danger-zone" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete account</h2>
      <p>This deletes your account and all your tasks, and signs out every device. It cannot be undone.</p>
      <form noValidate onSubmit={(e) => void form.onSubmit(e)} aria-busy={form.pending}>
        <AuthProblemMessage problem={form.problem} />
        <PasswordField {...form.register('password')} label="Password" autoComplete="current-password" />
        <div className="checkbox-field">
          <input
            id={confirmId}
            type="checkbox"
            checked={confirmed}
            aria-invalid={confirmMissing && !confirmed ? true : undefined}
            onChange={(e) => {
              setConfirmed(e.target.checked);
              setConfirmMissing(false);
            }}
          />
          <label htmlFor={confirmId}>I understand that my account and tasks will be deleted for good</label>
        </div>
        <button type="submit" className="button button-danger" disabled={form.pending}>
          {form.pending ? 'Deleting…' : 'Delete my account'}
        </button>
      </form>
    </section>
  );
}
