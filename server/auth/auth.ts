import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { APIError } from 'better-auth/api';
import { jwt } from 'better-auth/plugins';
import type { JwtOptions } from 'better-auth/plugins/jwt';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../shared/auth';
import type { Database } from '../db/client';
import { schema } from '../db/schema';
import type { Mailer } from '../email/mailer';
import { takeMailQuota } from '../email/mail-quota';
import { resetPasswordMail, verifyEmailMail } from '../email/messages';
import type { Logger } from '../logger';
import { accountFieldsPlugin } from './account-fields';
import { apiKeyPlugin, apiKeyTokens } from './api-keys';
import { authEventsPlugin, betterAuthLogger } from './auth-events';
import { equalTimePlugin } from './equal-time';
import { hashPassword, verifyPassword } from './password';
import { createSignInThrottle, signInThrottlePlugin } from './sign-in-throttle';
import type { TokenRevocations } from './revocation';
import { announcingJwkStore, tokenRevocationPlugin } from './revocation-plugin';

/**
 * Set by our HTTP layer from the socket (or a trusted proxy's X-Forwarded-For) after removing
 * whatever the client sent, so Better Auth's rate limiter keys on an address a client cannot forge.
 */
export const CLIENT_IP_HEADER = 'x-taskmanager-client-ip';

/** RS256: verifying is ~2x faster than Ed25519 here (see specs/decisions.md), and we verify on every call. */
export const JWT_ALGORITHM = 'RS256';

export interface AuthOptions {
  db: Database;
  baseURL: string;
  secret: string;
  trustedOrigins: string[];
  jwtTtlSeconds: number;
  jwtRotationDays: number;
  jwtGraceDays: number;
  rateLimitEnabled: boolean;
  /** Ending a session or changing a password revokes JWTs through this (see revocation.ts). */
  revocations: TokenRevocations;
  /** Password-reset mail goes out through this; with `kind: 'disabled'` reset is not offered. */
  mailer: Mailer;
  log: Logger;
}

const DAY = 24 * 60 * 60;

/** A reset link works once, for this long. */
export const RESET_TOKEN_SECONDS = 30 * 60;

/**
 * Reset mails one account receives per hour, whoever asks and from wherever; past it the request
 * gets the same answer and no mail (so the limit reveals nothing about the address).
 */
export const RESET_MAILS_PER_HOUR = 3;

/** A verification link works for this long. */
export const VERIFY_TOKEN_SECONDS = 24 * 60 * 60;

/** Verification mails (sign-up and resends) one account receives per hour. */
export const VERIFY_MAILS_PER_HOUR = 3;

export function createAuth(options: AuthOptions) {
  const { baseURL, log } = options;
  const secureCookies = baseURL.startsWith('https://');
  const throttle = createSignInThrottle({ db: options.db, secret: options.secret });
  const jwtOptions = {
    jwks: {
      keyPairConfig: { alg: JWT_ALGORITHM, modulusLength: 2048 },
      rotationInterval: options.jwtRotationDays * DAY,
      gracePeriod: options.jwtGraceDays * DAY,
    },
    adapter: announcingJwkStore(options.revocations),
    jwt: {
      issuer: baseURL,
      audience: baseURL,
      expirationTime: `${options.jwtTtlSeconds}s`,
      // Only what the API needs; Better Auth would otherwise put the whole user row in.
      // `sid` names the session, so ending it can revoke exactly its tokens.
      definePayload: ({ user, session }) => ({ email: user.email, sid: session.id }),
    },
  } satisfies JwtOptions;
  // API keys are exchanged for JWTs signed exactly like the browser's (same keys, iss, aud, TTL).
  const keyTokens = apiKeyTokens({
    jwt: jwtOptions,
    tokenTtlSeconds: options.jwtTtlSeconds,
    revocations: options.revocations,
  });
  const auth = betterAuth({
    appName: 'Tasks',
    baseURL,
    basePath: '/api/auth',
    secret: options.secret,
    trustedOrigins: options.trustedOrigins,
    database: drizzleAdapter(options.db, { provider: 'pg', schema }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
      autoSignIn: true,
      // Better Auth's default scrypt cost (N=2^14, r=16) is below the OWASP minimum.
      password: { hash: hashPassword, verify: verifyPassword },
      ...(options.mailer.kind === 'disabled'
        ? {}
        : {
            resetPasswordTokenExpiresIn: RESET_TOKEN_SECONDS,
            // Every session of the account ends with the reset (in the same transaction) …
            revokeSessionsOnPasswordReset: true,
            sendResetPassword: async ({ user, token }, request) => {
              const requestId = request?.headers.get('x-request-id');
              const quota = {
                purpose: 'reset-password',
                max: RESET_MAILS_PER_HOUR,
                windowMs: 60 * 60 * 1000,
              };
              if (!(await takeMailQuota(options.db, user.id, quota))) {
                log.warn(
                  { event: 'reset_mail_limited', userId: user.id },
                  'reset mail not sent: hourly limit',
                );
                return;
              }
              // The link opens the client's page, which posts the token to /reset-password. Not
              // awaited: a known address must answer as fast as an unknown one.
              const url = `${baseURL}/reset-password?token=${encodeURIComponent(token)}`;
              options.mailer.deliver(resetPasswordMail(user, url, RESET_TOKEN_SECONDS / 60), {
                purpose: 'reset_password',
                requestId,
              });
              log.info(
                { event: 'reset_requested', userId: user.id, requestId },
                'password reset mail queued',
              );
            },
            // … and every JWT issued before it, on every instance (sessions deleted in bulk reach
            // no per-session hook). `settle`: a sign-in with the new password right after works.
            onPasswordReset: async ({ user }, request) => {
              const requestId = request?.headers.get('x-request-id');
              try {
                await options.revocations.revokeUser(user.id, { settle: true });
              } catch (err: unknown) {
                // The password is changed and the sessions are gone; tokens this instance did not
                // reach expire within their TTL. A typed 503, never a 500 with internals.
                log.error(
                  { err, event: 'reset_revocation_failed', userId: user.id, requestId },
                  'reset: revocation failed',
                );
                throw new APIError('SERVICE_UNAVAILABLE', {
                  code: 'REVOCATION_FAILED',
                  message: 'Your password was changed, but other devices could not all be signed out yet.',
                });
              }
              log.info(
                { event: 'password_reset', userId: user.id, requestId },
                'password reset: tokens revoked',
              );
            },
          }),
    },
    // Unverified accounts may use the app (a banner asks them to verify); see specs/decisions.md D32.
    ...(options.mailer.kind === 'disabled'
      ? {}
      : {
          emailVerification: {
            sendOnSignUp: true,
            expiresIn: VERIFY_TOKEN_SECONDS,
            sendVerificationEmail: async ({ user, url }, request) => {
              const requestId = request?.headers.get('x-request-id');
              const quota = { purpose: 'verify-email', max: VERIFY_MAILS_PER_HOUR, windowMs: 60 * 60 * 1000 };
              if (!(await takeMailQuota(options.db, user.id, quota))) {
                log.warn(
                  { event: 'verify_mail_limited', userId: user.id },
                  'verification mail not sent: hourly limit',
                );
                return;
              }
              // Better Auth's link verifies and then redirects to the app (`/` unless the client asked
              // for another callback). Not awaited, as for reset.
              options.mailer.deliver(verifyEmailMail(user, url, VERIFY_TOKEN_SECONDS / 3600), {
                purpose: 'verify_email',
                requestId,
              });
              log.info(
                { event: 'verify_mail_queued', userId: user.id, requestId },
                'verification mail queued',
              );
            },
          },
        }),
    user: {
      // Password required: enforced by the throttle plugin, which also counts the check.
      deleteUser: { enabled: true },
    },
    rateLimit: {
      // Better Auth only enables this in production by default; we want it everywhere.
      enabled: options.rateLimitEnabled,
      // One budget across all instances and restarts; the memory store is a per-process Map, so N
      // instances would give N times the attempts. See specs/auth-hardening.md.
      storage: 'database',
      window: 60,
      max: 100,
      customRules: {
        '/sign-in/email': { window: 60, max: 10 },
        '/sign-up/email': { window: 60, max: 5 },
        '/token': { window: 60, max: 60 },
        // Per address; each key also has its own budget (api-keys.ts).
        '/api-key/token': { window: 60, max: 60 },
        // Per address; per account, RESET_MAILS_PER_HOUR above.
        '/request-password-reset': { window: 15 * 60, max: 5 },
        '/reset-password': { window: 60, max: 10 },
        '/delete-user': { window: 60, max: 10 },
        '/send-verification-email': { window: 15 * 60, max: 5 },
      },
    },
    advanced: {
      // A /64 is what one IPv6 customer gets: rotating inside it must not buy more attempts.
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER], ipv6Subnet: 64 },
      useSecureCookies: secureCookies,
      // Better Auth turns its Origin (CSRF) check off when NODE_ENV=test or TEST is set; a security
      // control must not depend on an environment flag, and tests must see what production does.
      disableOriginCheck: false,
    },
    logger: betterAuthLogger(log),
    telemetry: { enabled: false },
    plugins: [
      signInThrottlePlugin({ throttle, log, secureCookies }),
      accountFieldsPlugin(),
      authEventsPlugin({ log, accountKey: throttle.keyFor }),
      jwt(jwtOptions),
      apiKeyPlugin(),
      keyTokens.plugin,
      tokenRevocationPlugin(options.revocations),
      equalTimePlugin(),
    ],
  });
  keyTokens.bindVerifier((key) => auth.api.verifyApiKey({ body: { key } }));
  return auth;
}

export type Auth = ReturnType<typeof createAuth>;
