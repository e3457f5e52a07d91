import { bigint, index, integer, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * Better Auth's rate limiter (`rateLimit.storage: 'database'`): one row per client address and
 * auth path, shared by every server instance. Column names are the ones Better Auth's adapter expects.
 */
export const rateLimit = pgTable(
  'rate_limit',
  {
    id: text('id').primaryKey(),
    key: text('key').notNull().unique(),
    count: integer('count').notNull(),
    lastRequest: bigint('last_request', { mode: 'number' }).notNull(),
  },
  // Better Auth prunes expired rows by last_request.
  (t) => [index('rate_limit_last_request_idx').on(t.lastRequest)],
);

/**
 * Failed password checks per account, whatever address they come from, and the checks in flight
 * (server/auth/sign-in-throttle.ts).
 * The key is an HMAC of the normalized email, so the table never holds the addresses people tried.
 */
export const signInThrottle = pgTable(
  'sign_in_throttle',
  {
    key: text('key').primaryKey(),
    failures: integer('failures').notNull(),
    /** Epoch milliseconds of the latest failure; failures are forgotten after a quiet window. */
    lastFailureAt: bigint('last_failure_at', { mode: 'number' }).notNull(),
    /** Epoch milliseconds before which sign-in for this account is refused without checking the password. */
    lockedUntil: bigint('locked_until', { mode: 'number' }).notNull(),
    /** Password checks reserved and not yet finished: they count against the allowance while they hash. */
    inFlight: integer('in_flight').notNull().default(0),
    /** Epoch milliseconds of the latest reservation; reservations older than the policy's limit are void (crashed). */
    reservedAt: bigint('reserved_at', { mode: 'number' }).notNull().default(0),
  },
  // Rows idle for longer than the window are pruned by last_failure_at.
  (t) => [index('sign_in_throttle_last_failure_idx').on(t.lastFailureAt)],
);
