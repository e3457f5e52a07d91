import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { signInSchema } from '../../../../shared/auth';
import { useServices, useSession } from '../../lib/services-context';
import { useDocumentTitle } from '../../lib/use-document-title';
import { AuthProblemMessage } from './auth-problem-message';
import { describeAuthError, keepRetryAfter } from './auth-errors';
import { PasswordField } from './password-field';
import { safeNext, signUpPath } from './safe-next';
import type { SignInState } from './sign-in-state';
import { TextField } from './text-field';
import { useAuthForm } from './use-auth-form';

const FIELDS = ['email', 'password'] as const;

export function SignInPage() {
  useDocumentTitle('Sign in');
  const { authClient, session, broadcast } = useServices();
  const snapshot = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const sessionEnded = (location.state as SignInState | null)?.sessionEnded === true;

  const form = useAuthForm(signInSchema, FIELDS, async (values) => {
    const retryAfter = keepRetryAfter();
    const { error } = await authClient.signIn.email(
      { email: values.email, password: values.password },
      retryAfter.fetchOptions,
    );
    if (error) return describeAuthError(error, 'sign-in', retryAfter.seconds());
    const token = await session.renew();
    if (!token) return { message: 'Signed in, but the session could not be started. Please try again.' };
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
      {sessionEnded && !form.problem && (
        <p className="notice notice-info" role="status">
          Your session has ended. Please sign in again to continue.
        </p>
      )}
      {/* A deep link (e.g. a bookmarked filter) says why it landed here and that it will go on. */}
      {!sessionEnded && next !== '/' && !form.problem && (
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
