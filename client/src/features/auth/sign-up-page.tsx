import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { PASSWORD_MAX, PASSWORD_MIN, signUpSchema } from '../../../../shared/auth';
import { useServices, useSession } from '../../lib/services-context';
import { useDocumentTitle } from '../../lib/use-document-title';
import { AuthProblemMessage } from '../../lib/forms/auth-problem-message';
import { describeAuthError, keepRetryAfter } from '../../lib/forms/auth-errors';
import { PasswordField } from '../../lib/forms/password-field';
import { safeNext, signInPath } from './safe-next';
import { TextField } from '../../lib/forms/text-field';
import { useAuthForm } from '../../lib/forms/use-auth-form';

const FIELDS = ['name', 'email', 'password'] as const;

export function SignUpPage() {
  useDocumentTitle('Create an account');
  const { authClient, session, broadcast } = useServices();
  const snapshot = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));

  const form = useAuthForm(signUpSchema, FIELDS, async (values) => {
    const retryAfter = keepRetryAfter();
    const { error } = await authClient.signUp.email(values, retryAfter.fetchOptions);
    if (error) return describeAuthError(error, 'sign-up', retryAfter.seconds());
    const token = await session.renew();
    if (!token) {
      return { message: 'Your account was created. Please sign in.', suggest: 'sign-in' as const };
    }
    broadcast('signed-in');
    void navigate(next, { replace: true });
    return null;
  });

  if (snapshot.status === 'signed-in' && !form.pending) return <Navigate to={next} replace />;

  return (
    <section className="card narrow auth" aria-labelledby="sign-up-title">
      <h1 id="sign-up-title">Create an account</h1>
      <form noValidate onSubmit={(e) => void form.onSubmit(e)} aria-busy={form.pending}>
        <AuthProblemMessage problem={form.problem} />
        <TextField {...form.register('name')} label="Name" autoComplete="name" autoFocus />
        <TextField
          {...form.register('email')}
          label="Email"
          type="email"
          autoComplete="email"
          inputMode="email"
        />
        <PasswordField
          {...form.register('password')}
          label="Password"
          autoComplete="new-password"
          hint={`${PASSWORD_MIN} to ${PASSWORD_MAX} characters. A few unrelated words make a strong one.`}
        />
        <button type="submit" className="button button-primary wide" disabled={form.pending}>
          {form.pending ? 'Creating account…' : 'Create account'}
        </button>
      </form>
      <p className="switch">
        Already have an account? <Link to={signInPath(next)}>Sign in</Link>
      </p>
    </section>
  );
}
