/**
 * Per-account protection against password guessing from many addresses (the per-address rate
 * limit cannot see those): after a few failures for one account, wherever they come from, every
 * endpoint that checks its password is refused for a growing delay without looking at the password.
 *
 * - Atomic: an attempt is reserved (one upsert that counts it) _before_ the password is hashed, and
 *   refused when the checks in flight plus the past failures already use up the allowance, so
 *   guesses sent at the same moment, or to several instances sharing the database, get no more
 *   checks than guesses sent one by one. The reservation becomes a failure, a success or nothing
 *   once the check is done; one that never finishes (a crash) is void after `reservationSeconds`.
 * - No enumeration: the key is the email as typed, not a user, so unknown emails are throttled
 *   exactly like real ones, with the same status, message and queries.
 * - Victim lockout is bounded: the delay is capped, attempts refused during a delay are not
 *   counted, and a browser that signed in to the account before carries a "known device" cookie
 *   that lets it through (it still needs the password, and the per-address limit still applies); see
 *   specs/auth-hardening.md.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthMiddleware, getSessionFromCtx } from 'better-auth/api';
import { and, eq, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { PASSWORD_MAX, passwordSchema } from '../../shared/auth';
import type { Database } from '../db/client';
import { signInThrottle } from '../db/security-schema';
import type { Logger } from '../logger';

export interface ThrottlePolicy {
  /** Failures allowed before the first delay. */
  freeFailures: number;
  /** Delay after the first counted failure past `freeFailures`; it doubles with each further one. */
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  /** Failures are forgotten after this long without one. */
  windowSeconds: number;
  /** Lifetime of the known-device cookie. */
  deviceCookieDays: number;
  /** A reservation not finished after this long is void (its request died); far above a slow check. */
  reservationSeconds: number;
}

export const SIGN_IN_THROTTLE: ThrottlePolicy = {
  freeFailures: 5,
  baseDelaySeconds: 30,
  maxDelaySeconds: 15 * 60,
  windowSeconds: 60 * 60,
  deviceCookieDays: 90,
  reservationSeconds: 60,
};

export const DEVICE_COOKIE = 'tasks_known_device';
const SIGN_IN_PATH = '/sign-in/email';

const signInBody = z.object({ email: z.string().max(254) });

/**
 * The other endpoints that check a password (change-password, verify-password, delete-user), with the password they check. A body that does not
 * parse here is one Better Auth refuses before checking anything (same length limits, or stricter).
 */
const PASSWORD_CHECKS = {
  '/change-password': z
    .object({ currentPassword: z.string().max(PASSWORD_MAX), newPassword: passwordSchema })
    .transform((b) => b.currentPassword),
  '/verify-password': z.object({ password: z.string().max(PASSWORD_MAX) }).transform((b) => b.password),
  // Better Auth would delete without a password when the session is fresh; we always ask for it.
  '/delete-user': z.object({ password: z.string().min(1).max(PASSWORD_MAX) }).transform((b) => b.password),
} as const;
/** Paths where a body without a password is refused here rather than left to Better Auth. */
const PASSWORD_REQUIRED = new Set<string>(['/delete-user']);
type PasswordCheckPath = keyof typeof PASSWORD_CHECKS;
const isPasswordCheck = (path: string | undefined): path is PasswordCheckPath =>
  path !== undefined && Object.hasOwn(PASSWORD_CHECKS, path);

/** What a reserved check turned out to be. */
export type CheckOutcome = 'failure' | 'success' | 'none';

/** Delay in seconds after `failures` consecutive failures (0 while still within the free ones). */
export function delayFor(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.freeFailures) return 0;
  const doublings = Math.min(failures - policy.freeFailures, 30);
  return Math.min(policy.baseDelaySeconds * 2 ** doublings, policy.maxDelaySeconds);
}

export function createSignInThrottle(deps: {
  db: Database;
  secret: string;
  policy?: ThrottlePolicy;
  now?: () => number;
}) {
  const { db } = deps;
  const policy = deps.policy ?? SIGN_IN_THROTTLE;
  const now = deps.now ?? Date.now;
  const keyMaterial = createHmac('sha256', deps.secret).update('sign-in-throttle').digest();
  const mac = (value: string) => createHmac('sha256', keyMaterial).update(value).digest('base64url');
  const t = signInThrottle;

  /** HMAC of the email as Better Auth looks it up (lower case): no plaintext emails at rest or in logs. */
  const keyFor = (email: string) => mac(`account|${email.toLowerCase()}`);

  async function secondsLocked(key: string): Promise<number> {
    const [row] = await db.select({ lockedUntil: t.lockedUntil }).from(t).where(eq(t.key, key));
    const remaining = (row?.lockedUntil ?? 0) - now();
    return remaining > 0 ? Math.ceil(remaining / 1000) : 0;
  }

  async function prune(at: number): Promise<void> {
    // Opportunistic pruning keeps the table at "accounts with recent failures or checks".
    if (Math.random() >= 0.01) return;
    await db
      .delete(t)
      .where(
        and(
          lt(t.lastFailureAt, at - policy.windowSeconds * 1000),
          lt(t.reservedAt, at - policy.reservationSeconds * 1000),
          lt(t.lockedUntil, at),
        ),
      );
  }

  return {
    policy,
    keyFor,

    /** Seconds until this account may try again; 0 when it may now. */
    secondsLocked,

    /**
     * Reserves one password check for this account, atomically across requests and instances:
     * 0 when reserved, else the seconds to wait (nothing is counted then). `force` reserves even
     * past the allowance (a known device), so that its outcome is still counted.
     */
    async reserve(key: string, { force = false }: { force?: boolean } = {}): Promise<number> {
      const at = now();
      // Failures forgotten after a quiet window, reservations void after their limit.
      const failures = sql`(case when ${t.lastFailureAt} < ${at - policy.windowSeconds * 1000}::bigint then 0 else ${t.failures} end)`;
      const inFlight = sql`(case when ${t.reservedAt} < ${at - policy.reservationSeconds * 1000}::bigint then 0 else ${t.inFlight} end)`;
      // Free failures left, or one check at a time once past them (each failure then locks).
      const allowed = sql`${t.lockedUntil} <= ${at}::bigint and ${inFlight} < greatest(${policy.freeFailures}::integer - ${failures}, 1)`;
      const [row] = await db
        .insert(t)
        .values({ key, failures: 0, lastFailureAt: 0, lockedUntil: 0, inFlight: 1, reservedAt: at })
        .onConflictDoUpdate({
          target: t.key,
          set: { failures, inFlight: sql`${inFlight} + 1`, reservedAt: at },
          ...(force ? {} : { setWhere: allowed }),
        })
        .returning({ key: t.key });
      if (row) return 0;
      return Math.max(await secondsLocked(key), 1);
    },

    /** Turns a reservation into a failure (which may lock the account), a success (which clears it), or nothing. */
    async complete(key: string, outcome: CheckOutcome): Promise<number> {
      const at = now();
      const release = sql`greatest(${t.inFlight} - 1, 0)`;
      let delay = 0;
      if (outcome === 'failure') {
        const [row] = await db
          .insert(t)
          .values({ key, failures: 1, lastFailureAt: at, lockedUntil: 0, inFlight: 1, reservedAt: at })
          .onConflictDoUpdate({
            target: t.key,
            set: {
              failures: sql`case when ${t.lastFailureAt} < ${at - policy.windowSeconds * 1000}::bigint then 1 else ${t.failures} + 1 end`,
              lastFailureAt: at,
            },
          })
          .returning({ failures: t.failures });
        delay = delayFor(row?.failures ?? 1, policy);
        // The lock is set in the same statement that releases the reservation: until then this
        // check still counts as in flight, so no other check can start in between.
        await db
          .update(t)
          .set({
            lockedUntil:
              delay > 0 ? sql`greatest(${t.lockedUntil}, ${at + delay * 1000}::bigint)` : t.lockedUntil,
            inFlight: release,
          })
          .where(eq(t.key, key));
      } else if (outcome === 'success') {
        await db
          .update(t)
          .set({ failures: 0, lastFailureAt: 0, lockedUntil: 0, inFlight: release })
          .where(eq(t.key, key));
      } else {
        await db.update(t).set({ inFlight: release }).where(eq(t.key, key));
      }
      await prune(at);
      return delay;
    },

    async reset(key: string): Promise<void> {
      await db.delete(t).where(eq(t.key, key));
    },

    /** A cookie value binding this browser to the account: `<issued-at seconds>.<mac>`. */
    deviceCookieFor(key: string): string {
      const issuedAt = Math.floor(now() / 1000);
      return `${issuedAt}.${mac(`device|${key}|${issuedAt}`)}`;
    },

    isKnownDevice(key: string, cookieValue: string | undefined): boolean {
      const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(cookieValue ?? '');
      if (!match) return false;
      const issuedAt = Number(match[1]);
      if (now() / 1000 - issuedAt > policy.deviceCookieDays * 24 * 60 * 60) return false;
      const expected = Buffer.from(mac(`device|${key}|${issuedAt}`));
      const actual = Buffer.from(match[2] ?? '');
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;

function readCookie(header: string | null | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function tooManyAttempts(seconds: number, what: string): APIError {
  return new APIError(
    'TOO_MANY_REQUESTS',
    {
      code: 'TOO_MANY_FAILED_ATTEMPTS',
      message: `Too many failed ${what} attempts. Try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`,
    },
    { 'Retry-After': String(seconds), 'X-Retry-After': String(seconds) },
  );
}

/**
 * The Better Auth plugin that applies the throttle to every enabled endpoint that checks a
 * password: `POST /sign-in/email` (reserve before, settle after Better Auth's check), and
 * `/change-password` and `/verify-password` (the current password is checked here, first, under a
 * reservation; Better Auth's own check then only repeats an answer already known to be right).
 * `/delete-user` is one of them, and there the password is required.
 */
export function signInThrottlePlugin(deps: {
  throttle: SignInThrottle;
  log: Logger;
  secureCookies: boolean;
}) {
  const { throttle, log } = deps;
  const isSignIn = (ctx: { path?: string }) => ctx.path === SIGN_IN_PATH;
  const refused = (
    account: string,
    path: string | undefined,
    retryAfter: number,
    requestId: string | null | undefined,
  ) =>
    log.warn(
      { event: 'sign_in_throttled', account, path, retryAfter, requestId },
      'password check refused: too many failures for this account',
    );

  return {
    id: 'sign-in-throttle',
    hooks: {
      before: [
        {
          matcher: isSignIn,
          handler: createAuthMiddleware(async (ctx) => {
            const body = signInBody.safeParse(ctx.body);
            // Refuse rather than skip: an email we cannot key is not checked at all.
            if (!body.success) {
              throw new APIError('BAD_REQUEST', { code: 'INVALID_EMAIL', message: 'Invalid email' });
            }
            const key = throttle.keyFor(body.data.email);
            const knownDevice = throttle.isKnownDevice(
              key,
              readCookie(ctx.headers?.get('cookie'), DEVICE_COOKIE),
            );
            // Every request that passes this hook holds exactly one reservation; the after-hook settles it.
            const seconds = await throttle.reserve(key, { force: knownDevice });
            if (seconds === 0) return;
            refused(key, ctx.path, seconds, ctx.headers?.get('x-request-id'));
            throw tooManyAttempts(seconds, 'sign-in');
          }),
        },
        {
          matcher: (ctx) => isPasswordCheck(ctx.path),
          handler: createAuthMiddleware(async (ctx) => {
            if (!isPasswordCheck(ctx.path)) return;
            const password = PASSWORD_CHECKS[ctx.path].safeParse(ctx.body);
            if (!password.success && PASSWORD_REQUIRED.has(ctx.path)) {
              throw new APIError('BAD_REQUEST', { code: 'PASSWORD_REQUIRED', message: 'Password required' });
            }
            if (!password.success) return; // Better Auth refuses this body before checking anything.
            const session = await getSessionFromCtx(ctx, { disableCookieCache: true });
            if (!session) return; // Better Auth answers 401.
            const key = throttle.keyFor(session.user.email);
            const seconds = await throttle.reserve(key);
            if (seconds > 0) {
              refused(key, ctx.path, seconds, ctx.headers?.get('x-request-id'));
              throw tooManyAttempts(seconds, 'password');
            }
            let outcome: CheckOutcome = 'none';
            try {
              const account = await ctx.context.internalAdapter.findCredentialAccount(session.user.id);
              if (!account?.password) return; // Better Auth answers CREDENTIAL_ACCOUNT_NOT_FOUND.
              const right = await ctx.context.password.verify({
                hash: account.password,
                password: password.data,
              });
              outcome = right ? 'success' : 'failure';
            } finally {
              await throttle.complete(key, outcome);
            }
            if (outcome === 'failure') {
              throw new APIError('BAD_REQUEST', { code: 'INVALID_PASSWORD', message: 'Invalid password' });
            }
          }),
        },
      ],
      after: [
        {
          matcher: isSignIn,
          handler: createAuthMiddleware(async (ctx) => {
            const body = signInBody.safeParse(ctx.body);
            if (!body.success) return; // Refused by the before-hook; never reserved.
            const key = throttle.keyFor(body.data.email);
            const returned: unknown = ctx.context.returned;
            if (returned instanceof APIError && returned.statusCode === 401) {
              await throttle.complete(key, 'failure');
            } else if (ctx.context.newSession) {
              await throttle.complete(key, 'success');
              ctx.setCookie(DEVICE_COOKIE, throttle.deviceCookieFor(key), {
                httpOnly: true,
                secure: deps.secureCookies,
                sameSite: 'strict',
                path: '/api/auth/sign-in',
                maxAge: throttle.policy.deviceCookieDays * 24 * 60 * 60,
              });
            } else {
              // Refused before any password check (too long, bad origin, …): release the reservation.
              await throttle.complete(key, 'none');
            }
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}
