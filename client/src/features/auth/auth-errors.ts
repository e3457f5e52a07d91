import { retryAfterMessage, retryAfterSeconds } from '../../../../shared/retry-after';

/** What Better Auth's client reports when a request is refused. */
interface AuthError {
  status: number;
  code?: string | undefined;
  message?: string | undefined;
}

/**
 * Better Auth's error has no headers: these fetch options keep the `Retry-After` of a refused
 * request, so a 429 can say how long to wait.
 */
export function keepRetryAfter() {
  let seconds: number | null = null;
  return {
    fetchOptions: {
      onError(context: { response: Response }) {
        seconds = retryAfterSeconds(context.response.headers);
      },
    },
    seconds: () => seconds,
  };
}

export type AuthField = 'name' | 'email' | 'password';

export interface AuthProblem {
  /** Shown above the form and announced. */
  message: string;
  /** The field to mark invalid and move focus to, when the problem is about one. */
  field?: AuthField;
  /** Offer the other form (e.g. "sign in instead" for a taken email). */
  suggest?: 'sign-in' | 'sign-up';
}

/**
 * Turns a refusal into words a person can act on; never shows raw server text for 5xx.
 * `retryAfter` is the server's wait in seconds for a 429 (null when it did not say).
 */
export function describeAuthError(
  error: AuthError,
  action: 'sign-in' | 'sign-up',
  retryAfter: number | null,
): AuthProblem {
  const code = error.code ?? '';
  if (error.status === 429) return { message: retryAfterMessage(retryAfter) };
  if (code.startsWith('USER_ALREADY_EXISTS')) {
    return { message: 'An account with this email already exists.', field: 'email', suggest: 'sign-in' };
  }
  if (code === 'INVALID_EMAIL_OR_PASSWORD' || (action === 'sign-in' && error.status === 401)) {
    return { message: 'That email and password don’t match an account.', field: 'password' };
  }
  if (code === 'PASSWORD_TOO_SHORT' || code === 'PASSWORD_TOO_LONG') {
    return { message: 'Choose a stronger password: 8 to 128 characters.', field: 'password' };
  }
  if (code === 'INVALID_EMAIL') return { message: 'Enter a valid email address.', field: 'email' };
  if (error.status === 0 || error.status >= 500) {
    return { message: 'We couldn’t reach the server. Check your connection and try again.' };
  }
  return { message: error.message || 'Something went wrong. Please try again.' };
}
