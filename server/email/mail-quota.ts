/**
 * A per-account budget of mails of one kind (e.g. verification mails per hour), shared by every
 * instance: one marker row per mail in Better Auth's `verification` table, under an identifier
 * Better Auth never looks up. Past the budget the caller skips the mail but answers as usual, so the
 * limit reveals nothing. Two requests at the same instant may both pass at the edge; the
 * per-address rate limit bounds that.
 */
import { randomUUID } from 'node:crypto';
import { and, count, eq, gt, lte } from 'drizzle-orm';
import { verification } from '../db/auth-schema';
import type { Database } from '../db/client';

export interface MailQuota {
  purpose: string;
  max: number;
  windowMs: number;
}

/** Records one mail for `userId` and says whether it is within the budget. */
export async function takeMailQuota(db: Database, userId: string, quota: MailQuota): Promise<boolean> {
  const identifier = `mail-quota:${quota.purpose}:${userId}`;
  const now = new Date();
  await db
    .delete(verification)
    .where(and(eq(verification.identifier, identifier), lte(verification.expiresAt, now)));
  await db.insert(verification).values({
    id: randomUUID(),
    identifier,
    value: quota.purpose,
    expiresAt: new Date(now.getTime() + quota.windowMs),
  });
  const [row] = await db
    .select({ n: count() })
    .from(verification)
    .where(and(eq(verification.identifier, identifier), gt(verification.expiresAt, now)));
  return (row?.n ?? 0) <= quota.max;
}
