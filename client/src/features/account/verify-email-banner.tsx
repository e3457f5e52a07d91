import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { retryAfterMessage } from '../../../../shared/retry-after';
import { keepRetryAfter } from '../../lib/forms/auth-errors';
import { useServices } from '../../lib/services-context';
import { useAccount } from './use-account';

const LINK_ERRORS = new Set(['TOKEN_EXPIRED', 'INVALID_TOKEN']);

type Sent = { state: 'idle' | 'sending' | 'sent' } | { state: 'failed'; message: string };

/**
 * Shown on every page while the signed-in account's email is unverified: an unverified account
 * may use the app (specs/decisions.md D32), but a reset link can only reach a confirmed address.
 */
export function VerifyEmailBanner() {
  const { authClient } = useServices();
  const account = useAccount();
  const [sent, setSent] = useState<Sent>({ state: 'idle' });
  // Better Auth sends a confirmation link that has expired or was already used back here with
  // `?error=TOKEN_EXPIRED` or `?error=INVALID_TOKEN`.
  const [params] = useSearchParams();
  const linkFailed = LINK_ERRORS.has(params.get('error') ?? '');
  const user = account.data?.user;
  if (!user || user.emailVerified !== false) return null;

  async function resend(email: string) {
    setSent({ state: 'sending' });
    const retryAfter = keepRetryAfter();
    try {
      const { error } = await authClient.sendVerificationEmail(
        { email, callbackURL: '/' },
        retryAfter.fetchOptions,
      );
      if (!error) setSent({ state: 'sent' });
      else if (error.status === 429)
        setSent({ state: 'failed', message: retryAfterMessage(retryAfter.seconds()) });
      else setSent({ state: 'failed', message: 'We couldn’t send the mail. Try again later.' });
    } catch {
      setSent({
        state: 'failed',
        message: 'We couldn’t reach the server. Check your connection and try again.',
      });
    }
  }

  return (
    <aside className="verify-banner" aria-label="Email verification">
      {linkFailed && (
        <p>
          <strong>That confirmation link has expired or was already used.</strong> Send a new one below.
        </p>
      )}
      <p>
        Please confirm your email address: we sent a link to <strong>{user.email}</strong>. Until then, we
        can’t send you a password reset link you can trust.
      </p>
      <button
        type="button"
        className="button"
        disabled={sent.state === 'sending' || sent.state === 'sent'}
        onClick={() => void resend(user.email)}
      >
        {sent.state === 'sending' ? 'Sending…' : 'Send the link again'}
      </button>
      <p role="status" className={sent.state === 'idle' ? 'visually-hidden' : undefined}>
        {sent.state === 'sent' && 'Sent. Check your inbox (and spam folder).'}
        {sent.state === 'failed' && sent.message}
      </p>
    </aside>
  );
}
