import { index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** Millisecond precision: a user-wide cutoff is compared with a token's `iat` second. */
const timestampMs = (name: string) =>
  timestamp(name, { withTimezone: true, precision: 3, mode: 'date' }).notNull();

/**
 * Revoked JWTs, kept only until every token they refuse has expired anyway. Instances hold these
 * in memory (loaded at start, updated through NOTIFY); the table is how a restarting or
 * reconnecting instance catches up. No foreign key: a revocation must outlive a deleted user.
 */
export const tokenRevocation = pgTable(
  'token_revocation',
  {
    /** `session`: tokens whose `sid` is `subject`; `user`: tokens of user `subject` issued at or before `revokedAt`'s second. */
    kind: text('kind', { enum: ['session', 'user'] }).notNull(),
    subject: text('subject').notNull(),
    userId: text('user_id').notNull(),
    revokedAt: timestampMs('revoked_at'),
    expiresAt: timestampMs('expires_at'),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.subject] }),
    index('token_revocation_expires_idx').on(t.expiresAt),
  ],
);

export type TokenRevocationRow = typeof tokenRevocation.$inferSelect;
