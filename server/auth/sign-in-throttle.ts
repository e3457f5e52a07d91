/**
 * Per-account protection against password guessing from many addresses (the per-address rate
 * limit cannot see those): after a few failures for one email, wherever they come from, sign-in
 * for that email is refused for a growing delay without looking at the password.
 *
 * - No enumeration: the key is the email as typed, not a user, so unknown emails are throttled
 *   exactly like real ones, with the same status, message and queries.
 * - Victim lockout is bounded: the delay is capped, attempts made during a delay are not counted,
 *   and a browser that signed in to the account before carries a "known device" cookie that lets
 *   it through (it still needs the password, and the per-address limit still applies); see
 *   specs/auth-hardening.md.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { eq, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
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
}

export const SIGN_IN_THROTTLE: ThrottlePolicy = {
  freeFailures: 5,
  baseDelaySeconds: 30,
  maxDelaySeconds: 15 * 60,
  windowSeconds: 60 * 60,
  deviceCookieDays: 90,
};

export const DEVICE_COOKIE = 'tasks_known_device';
const SIGN_IN_PATH = '/sign-in/email';

const signInBody = z.object({ email: z.string().max(254) });

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

  /** HMAC of the email as Better Auth looks it up (lower case): no plaintext emails at rest or in logs. */
  const keyFor = (email: string) => mac(`account|${email.toLowerCase()}`);

  return {
    policy,
    keyFor,

    /** Seconds until this account may try again; 0 when it may now. */
    async secondsLocked(key: string): Promise<number> {
      const [row] = await db
        .select({ lockedUntil: signInThrottle.lockedUntil })
        .from(signInThrottle)
        .where(eq(signInThrottle.key, key));
      const remaining = (row?.lockedUntil ?? 0) - now();
      return remaining > 0 ? Math.ceil(remaining / 1000) : 0;
    },

    /** Counts one failure (atomically across instances) and returns the delay it earns, in seconds. */
    async recordFailure(key: string): Promise<number> {
      const at = now();
      const quietSince = at - policy.windowSeconds * 1000;
      const [row] = await db
        .insert(signInThrottle)
        .values({ key, failures: 1, lastFailureAt: at, lockedUntil: 0 })
        .onConflictDoUpdate({
          target: signInThrottle.key,
          set: {
            failures: sql`case when ${signInThrottle.lastFailureAt} < ${quietSince} then 1 else ${signInThrottle.failures} + 1 end`,
            lastFailureAt: at,
          },
        })
        .returning({ failures: signInThrottle.failures });
      const delay = delayFor(row?.failures ?? 1, policy);
      if (delay > 0) {
        await db
          .update(signInThrottle)
          .set({ lockedUntil: at + delay * 1000 })
          .where(eq(signInThrottle.key, key));
      }
      // Opportunistic pruning keeps the table at "accounts with recent failures".
      if (Math.random() < 0.01) {
        await db.delete(signInThrottle).where(lt(signInThrottle.lastFailureAt, quietSince));
      }
      return delay;
    },

    async reset(key: string): Promise<void> {
      await db.delete(signInThrottle).where(eq(signInThrottle.key, key));
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

/** The Better Auth plugin that applies the throttle to `POST /sign-in/email`. */
export function signInThrottlePlugin(deps: {
  throttle: SignInThrottle;
  log: Logger;
  secureCookies: boolean;
}) {
  const { throttle, log } = deps;
  const isSignIn = (ctx: { path?: string }) => ctx.path === SIGN_IN_PATH;

  return {
    id: 'sign-in-throttle',
    hooks: {
      before: [
        {
          matcher: isSignIn,
          handler: createAuthMiddleware(async (ctx) => {
            const body = signInBody.safeParse(ctx.body);
            if (!body.success) return; // Better Auth's own validation answers 400.
            const key = throttle.keyFor(body.data.email);
            const seconds = await throttle.secondsLocked(key);
            if (seconds === 0) return;
            if (throttle.isKnownDevice(key, readCookie(ctx.headers?.get('cookie'), DEVICE_COOKIE))) return;
            log.warn(
              {
                event: 'sign_in_throttled',
                account: key,
                retryAfter: seconds,
                requestId: ctx.headers?.get('x-request-id'),
              },
              'sign-in refused: too many failures for this account',
            );
            throw new APIError(
              'TOO_MANY_REQUESTS',
              {
                code: 'TOO_MANY_FAILED_ATTEMPTS',
                message: `Too many failed sign-in attempts. Try again in ${seconds} seconds.`,
              },
              { 'Retry-After': String(seconds), 'X-Retry-After': String(seconds) },
            );
          }),
        },
      ],
      after: [
        {
          matcher: isSignIn,
          handler: createAuthMiddleware(async (ctx) => {
            const body = signInBody.safeParse(ctx.body);
            if (!body.success) return;
            const key = throttle.keyFor(body.data.email);
            const returned: unknown = ctx.context.returned;
            if (returned instanceof APIError && returned.statusCode === 401) {
              await throttle.recordFailure(key);
            } else if (ctx.context.newSession) {
              await throttle.reset(key);
              ctx.setCookie(DEVICE_COOKIE, throttle.deviceCookieFor(key), {
                httpOnly: true,
                secure: deps.secureCookies,
                sameSite: 'strict',
                path: '/api/auth/sign-in',
                maxAge: throttle.policy.deviceCookieDays * 24 * 60 * 60,
              });
            }
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}
