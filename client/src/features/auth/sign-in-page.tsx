import { useState } from 'react';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { signInSchema } from '../../../../shared/auth';
import { useServices, useSession } from '../../lib/services-context';
import { useDocumentTitle } from '../../lib/use-document-title';
import { AuthProblemMessage } from '../../lib/forms/auth-problem-message';
import { describeAuthError, keepRetryAfter } from '../../lib/forms/auth-errors';
import { PasswordField } from '../../lib/forms/password-field';
import { safeNext, signUpPath } from './safe-next';
import type { SignInState } from '../../lib/sign-in-state';
import { TextField } from '../../lib/forms/text-field';
import { KeepListField } from '../../lib/forms/keep-list-field';
import { useAuthForm } from '../../lib/forms/use-auth-form';

const FIELDS = ['email', 'password'] as const;

export function SignInPage() {
  useDocumentTitle('Sign in');
  const { authClient, session, broadcast, keptList } = useServices();
  // Off unless ticked: keeping personal data on a device is the person's decision (D38).
  const [keepList, setKeepList] = useState(false);
  const snapshot = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const state = location.state as SignInState | null;
  const sessionEnded = state?.sessionEnded === true;
  const accountDeleted = state?.accountDeleted === true;

  const form = useAuthForm(signInSchema, FIELDS, async (values) => {
    const retryAfter = keepRetryAfter();
    const { error } = await authClient.signIn.email(
      { email: values.email, password: values.password },
      retryAfter.fetchOptions,
    );
    if (error) return describeAuthError(error, 'sign-in', retryAfter.seconds());
    // Not kept: whatever a previous person left on this device goes before this one is signed in.
    if (!keepList) await keptList.choose(false);
    const token = await session.renew();
    if (!token) return { message: 'Signed in, but the session could not be started. Please try again.' };
    if (keepList) await keptList.choose(true);
    broadcast('signed-in');
    void navigate(next, { replace: true });
    return null;
  });

  if (snapshot.status === 'signed-in' && !form.pending) return <Navigate to={next} replace />;

  return (
    <section className="card narrow auth" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <p className="lead">
        Tasks is a simple to-do list that is yours alone: add, tick off and filter your tasks on any device.
      </p>
      {accountDeleted && !form.problem && (
        <p className="notice notice-info" role="status">
          Your account and its tasks have been deleted.
        </p>
      )}
      {sessionEnded && !form.problem && (
        <p className="notice notice-info" role="status">
          Your session has ended. Please sign in again to continue.
        </p>
      )}
      {/* A deep link (e.g. a bookmarked filter) says why it landed here and that it will go on. */}
      {!sessionEnded && !accountDeleted && next !== '/' && !form.problem && (
        <p className="notice notice-info" role="status">
          Sign in to continue to the page you opened.
        </p>
      )}
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
        <PasswordField {...form.register('password')} label="Password" autoComplete="current-password" />
        <p className="forgot">
          <Link to="/forgot-password">Forgot password?</Link>
        </p>
        <KeepListField checked={keepList} onChange={setKeepList} disabled={form.pending} />
        <button type="submit" className="button button-primary wide" disabled={form.pending}>
          {form.pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="switch">
        New here? <Link to={signUpPath(next)}>Create an account</Link>
      </p>
    </section>
  );
}
