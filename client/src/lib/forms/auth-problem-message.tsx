import { Link } from 'react-router';
import type { AuthProblem } from './auth-errors';

/** The form-level error, announced as soon as it appears. */
export function AuthProblemMessage({ problem }: { problem: AuthProblem | null }) {
  return (
    <div role="alert" className={problem ? 'notice notice-error' : 'visually-hidden'}>
      {problem && (
        <>
          {problem.message}
          {problem.suggest === 'sign-in' && (
            <>
              {' '}
              <Link to="/sign-in">Sign in instead</Link>
            </>
          )}
          {problem.suggest === 'forgot-password' && (
            <>
              {' '}
              <Link to="/forgot-password">Send a new link</Link>
            </>
          )}
        </>
      )}
    </div>
  );
}
