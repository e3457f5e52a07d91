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

export type AuthField = 'name' | 'email' | 'password' | 'currentPassword' | 'newPassword';

/** What the person was doing when the server refused. */
export type AuthAction =
  'sign-in' | 'sign-up' | 'request-reset' | 'reset-password' | 'change-password' | 'delete-account';

const FAILED: Record<AuthAction, string> = {
  'sign-in': 'We couldn’t sign you in. Reload the page and try again.',
  'sign-up': 'We couldn’t create your account. Reload the page and try again.',
  'request-reset': 'We couldn’t send the reset link. Reload the page and try again.',
  'reset-password': 'We couldn’t set your new password. Reload the page and try again.',
  'change-password': 'We couldn’t change your password. Reload the page and try again.',
  'delete-account': 'We couldn’t delete your account. Reload the page and try again.',
};

export interface AuthProblem {
  /** Shown above the form and announced. */
  message: string;
  /** The field to mark invalid and move focus to, when the problem is about one. */
  field?: AuthField;
  /** Offer the other form (e.g. "sign in instead" for a taken email), or a new reset link. */
  suggest?: 'sign-in' | 'sign-up' | 'forgot-password';
}

/** Better Auth codes that mean the page and the server disagree about where the page came from. */
const ORIGIN_CODES = new Set([
  'INVALID_ORIGIN',
  'MISSING_OR_NULL_ORIGIN',
  'CROSS_SITE_NAVIGATION_LOGIN_BLOCKED',
  'INVALID_CALLBACK_URL',
  'INVALID_REDIRECT_URL',
]);

/** Codes that mean the request itself was malformed: the page is out of date. */
const MALFORMED_CODES = new Set([
  'VALIDATION_ERROR',
  'MISSING_FIELD',
  'BODY_MUST_BE_AN_OBJECT',
  'FIELD_NOT_ALLOWED',
]);

/**
 * Turns a refusal into words a person can act on; never shows the server's own text, which is
 * written for developers ("Invalid origin"). The raw status and code go to the console instead.
 * `retryAfter` is the server's wait in seconds for a 429 (null when it did not say).
 */
export function describeAuthError(
  error: AuthError,
  action: AuthAction,
  retryAfter: number | null,
): AuthProblem {
  const code = error.code ?? '';
  console.warn(`[auth] ${action} refused: ${error.status} ${code || '(no code)'}`);
  if (error.status === 429) return { message: retryAfterMessage(retryAfter) };
  if (code.startsWith('USER_ALREADY_EXISTS')) {
    return { message: 'An account with this email already exists.', field: 'email', suggest: 'sign-in' };
  }
  if (code === 'INVALID_EMAIL_OR_PASSWORD' || (action === 'sign-in' && error.status === 401)) {
    return { message: 'That email and password don’t match an account.', field: 'password' };
  }
  if (code === 'PASSWORD_TOO_SHORT' || code === 'PASSWORD_TOO_LONG') {
    const field = action === 'sign-up' ? 'password' : 'newPassword';
    return { message: 'Choose a stronger password: 8 to 128 characters.', field };
  }
  if (code === 'INVALID_PASSWORD') {
    const field = action === 'change-password' ? 'currentPassword' : 'password';
    return { message: 'That isn’t your current password.', field };
  }
  if (code === 'INVALID_TOKEN') {
    return {
      message: 'This reset link has expired or was already used. Ask for a new one.',
      suggest: 'forgot-password',
    };
  }
  if (code === 'INVALID_EMAIL') return { message: 'Enter a valid email address.', field: 'email' };
  if (ORIGIN_CODES.has(code) || error.status === 403) {
    return {
      message:
        'The server didn’t accept a request from this page’s address. Open the app from its usual address (or reload the page) and try again.',
    };
  }
  if (MALFORMED_CODES.has(code) || error.status === 413) {
    return { message: 'This page may be out of date. Reload it and try again.' };
  }
  if (error.status === 503) {
    return { message: 'The server is busy right now. Wait a moment and try again.' };
  }
  if (error.status === 0 || error.status >= 500) {
    return { message: 'We couldn’t reach the server. Check your connection and try again.' };
  }
  return { message: FAILED[action] };
}
