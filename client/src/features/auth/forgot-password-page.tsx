import { useState } from 'react';
import { Link } from 'react-router';
import { forgotPasswordSchema } from '../../../../shared/auth';
import { useServices } from '../../lib/services-context';
import { useDocumentTitle } from '../../lib/use-document-title';
import { AuthProblemMessage } from '../../lib/forms/auth-problem-message';
import { describeAuthError, keepRetryAfter } from '../../lib/forms/auth-errors';
import { TextField } from '../../lib/forms/text-field';
import { useAuthForm } from '../../lib/forms/use-auth-form';

const FIELDS = ['email'] as const;

/**
 * "Forgot password?": asks for a reset link. The answer is the same whether or not the address
 * has an account (the server says nothing more), so the page says "if".
 */
export function ForgotPasswordPage() {
  useDocumentTitle('Reset your password');
  const { authClient } = useServices();
  const [sentTo, setSentTo] = useState<string | null>(null);

  const form = useAuthForm(forgotPasswordSchema, FIELDS, async (values) => {
    const retryAfter = keepRetryAfter();
    const { error } = await authClient.requestPasswordReset({ email: values.email }, retryAfter.fetchOptions);
    if (error) return describeAuthError(error, 'request-reset', retryAfter.seconds());
    setSentTo(values.email);
    return null;
  });

  return (
    <section className="card narrow auth" aria-labelledby="forgot-title">
      <h1 id="forgot-title">Reset your password</h1>
      {sentTo ? (
        <p className="notice notice-info" role="status">
          If an account uses <strong>{sentTo}</strong>, we have sent it a link to choose a new password. The
          link works once, for 30 minutes. Check your spam folder if it doesn’t arrive.
        </p>
      ) : (
        <>
          <p className="lead">
            Enter the email of your account and we’ll send you a link to choose a new password.
          </p>
          <form noValidate onSubmit={(e) => void form.onSubmit(e)} aria-busy={form.pending}>
            <AuthProblemMessage problem={form.problem} />
            <TextField
              {...form.register('email')}
              label="Email"
              type="email"
              autoComplete="username"
              inputMode="email"
              autoFocus
            />
            <button type="submit" className="button button-primary wide" disabled={form.pending}>
              {form.pending ? 'Sending…' : 'Send reset link'}
            </button>
          </form>
        </>
      )}
      <p className="switch">
        Remembered it? <Link to="/sign-in">Sign in</Link>
      </p>
    </section>
  );
}
