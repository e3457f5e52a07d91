/**
 * Revocation for stateless JWTs: every instance keeps the (small) set of revoked session ids and
 * per-user "issued at or before" cutoffs in memory, so a verification costs two Map lookups and
 * no database read. Revocations are written to `token_revocation` (a restarting instance loads
 * them) and announced with NOTIFY on one channel (running instances apply them within
 * milliseconds). The same channel tells every instance to reload its JWKS after a key rotation.
 * See specs/revocation-and-rotation.md.
 */
import { gt, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, DatabaseHandle } from '../db/client';
import { tokenRevocation, type TokenRevocationRow } from '../db/revocation-schema';
import type { Logger } from '../logger';
import { CLOCK_TOLERANCE_SECONDS } from './verify-jwt';

/** NOTIFY channel shared by every instance on the same database (lower case: LISTEN folds it). */
export const AUTH_EVENTS_CHANNEL = 'taskmanager_auth_events';

/** A full re-read of the table this often, in case a notification was lost (e.g. during a reconnect). */
export const DEFAULT_RESYNC_INTERVAL_MS = 60_000;

const id = z.string().min(1).max(255);
const revocationEventSchema = z.object({
  type: z.literal('revocation'),
  kind: z.enum(['session', 'user']),
  subject: id,
  userId: id,
  revokedAt: z.number().int().nonnegative(),
  expiresAt: z.number().int().nonnegative(),
});
const authEventSchema = z.discriminatedUnion('type', [
  revocationEventSchema,
  z.object({ type: z.literal('keys') }),
]);

export type AuthEvent = z.infer<typeof authEventSchema>;
type RevocationEvent = z.infer<typeof revocationEventSchema>;
export type RevocationKind = RevocationEvent['kind'];

/** The claims a revocation decision needs; the verifier passes them after the signature checks out. */
export interface RevocationClaims {
  sub: string;
  sid: string;
  iat: number;
}

export interface TokenRevocationOptions {
  database: DatabaseHandle;
  /** JWT lifetime: an entry is kept until every token it could refuse has expired anyway. */
  tokenTtlSeconds: number;
  log: Logger;
  resyncIntervalMs?: number;
  now?: () => number;
}

/** Tells every instance on this database (this one included) to reload its JWKS. */
export async function announceKeyChange(db: Database): Promise<void> {
  const event: AuthEvent = { type: 'keys' };
  await db.execute(sql`select pg_notify(${AUTH_EVENTS_CHANNEL}, ${JSON.stringify(event)})`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createTokenRevocations(options: TokenRevocationOptions) {
  const { database, log, now = Date.now } = options;
  const db = database.db;
  /** Revoked session id -> when the entry may be forgotten (ms). */
  const revokedSessions = new Map<string, number>();
  /** User id -> tokens with `iat` at or before `cutoff` (s) are refused, until `expiresAt` (ms). */
  const userCutoffs = new Map<string, { cutoff: number; expiresAt: number }>();
  const keyListeners = new Set<() => void>();
  /** Told the user id of every revocation applied here, local or announced (open streams recheck). */
  const revocationListeners = new Set<(userId: string) => void>();
  let stopListening: (() => Promise<void>) | undefined;
  let resyncTimer: NodeJS.Timeout | undefined;

  /**
   * Past this, jose refuses any token the entry could match (its `iat` is older than the TTL
   * plus the tolerance). Twice the tolerance covers signers whose clock runs a little ahead.
   */
  const retentionMs = (options.tokenTtlSeconds + 2 * CLOCK_TOLERANCE_SECONDS + 60) * 1000;

  function apply(event: RevocationEvent): void {
    if (event.expiresAt <= now()) return;
    if (event.kind === 'session') {
      revokedSessions.set(event.subject, Math.max(event.expiresAt, revokedSessions.get(event.subject) ?? 0));
    } else {
      const cutoff = Math.floor(event.revokedAt / 1000);
      const current = userCutoffs.get(event.subject);
      userCutoffs.set(event.subject, {
        cutoff: Math.max(cutoff, current?.cutoff ?? 0),
        expiresAt: Math.max(event.expiresAt, current?.expiresAt ?? 0),
      });
    }
    for (const listener of revocationListeners) listener(event.userId);
  }

  function pruneMemory(): void {
    const at = now();
    for (const [sid, expiresAt] of revokedSessions) if (expiresAt <= at) revokedSessions.delete(sid);
    for (const [userId, entry] of userCutoffs) if (entry.expiresAt <= at) userCutoffs.delete(userId);
  }

  const toEvent = (row: TokenRevocationRow): RevocationEvent => ({
    type: 'revocation',
    kind: row.kind,
    subject: row.subject,
    userId: row.userId,
    revokedAt: row.revokedAt.getTime(),
    expiresAt: row.expiresAt.getTime(),
  });

  /** Loads every live revocation (start, reconnect, periodic resync) and drops expired ones. */
  async function resync(): Promise<void> {
    const at = new Date(now());
    const rows = await db.select().from(tokenRevocation).where(gt(tokenRevocation.expiresAt, at));
    for (const row of rows) apply(toEvent(row));
    pruneMemory();
    await db.delete(tokenRevocation).where(lt(tokenRevocation.expiresAt, at));
  }

  function onNotification(payload: string): void {
    let event: AuthEvent;
    try {
      event = authEventSchema.parse(JSON.parse(payload));
    } catch {
      log.warn({ event: 'auth_event_ignored' }, 'ignored a malformed auth event');
      return;
    }
    if (event.type === 'keys') for (const listener of keyListeners) listener();
    else apply(event);
  }

  /** Refuses locally at once, then persists and announces (NOTIFY is delivered at commit). */
  async function record(kind: RevocationKind, subject: string, userId: string): Promise<number> {
    const revokedAt = now();
    const event: RevocationEvent = {
      type: 'revocation',
      kind,
      subject,
      userId,
      revokedAt,
      expiresAt: revokedAt + retentionMs,
    };
    apply(event);
    await db.transaction(async (tx) => {
      await tx
        .insert(tokenRevocation)
        .values({
          kind,
          subject,
          userId,
          revokedAt: new Date(revokedAt),
          expiresAt: new Date(event.expiresAt),
        })
        .onConflictDoUpdate({
          target: [tokenRevocation.kind, tokenRevocation.subject],
          set: {
            revokedAt: sql`greatest(${tokenRevocation.revokedAt}, excluded.revoked_at)`,
            expiresAt: sql`greatest(${tokenRevocation.expiresAt}, excluded.expires_at)`,
          },
        });
      await tx.execute(sql`select pg_notify(${AUTH_EVENTS_CHANNEL}, ${JSON.stringify(event)})`);
    });
    log.info({ event: 'tokens_revoked', kind, userId }, 'tokens revoked');
    return revokedAt;
  }

  return {
    /** Two Map lookups: the whole per-request cost of revocation. */
    isRevoked(claims: RevocationClaims): boolean {
      if (revokedSessions.has(claims.sid)) return true;
      const entry = userCutoffs.get(claims.sub);
      return entry !== undefined && claims.iat <= entry.cutoff;
    },

    /** Every token carrying this session id is refused, on every instance. */
    async revokeSession(session: { id: string; userId: string }): Promise<void> {
      await record('session', session.id, session.userId);
    },

    /**
     * Every token of this user issued at or before now (to the second) is refused. With
     * `settle`, waits for the next second so a token minted right after this call is accepted.
     */
    async revokeUser(userId: string, { settle = false }: { settle?: boolean } = {}): Promise<void> {
      const revokedAt = await record('user', userId, userId);
      if (settle) {
        const wait = (Math.floor(revokedAt / 1000) + 1) * 1000 - now();
        if (wait > 0) await sleep(wait);
      }
    },

    /** Tells every instance (this one included) to reload its JWKS. */
    announceKeyChange: (): Promise<void> => announceKeyChange(db),

    /**
     * Calls `listener` with the user id of each revocation applied on this instance (its own, and
     * every other instance's as its NOTIFY arrives; resyncs repeat old ones): long-lived streams
     * use it to recheck their token with `isRevoked` instead of polling.
     */
    onRevoked(listener: (userId: string) => void): () => void {
      revocationListeners.add(listener);
      return () => revocationListeners.delete(listener);
    },

    onKeysChanged(listener: () => void): () => void {
      keyListeners.add(listener);
      return () => keyListeners.delete(listener);
    },

    /** LISTEN first and load second, so nothing revoked in between is missed. */
    async start(): Promise<void> {
      stopListening = await database.listen(AUTH_EVENTS_CHANNEL, onNotification, () => {
        // After a reconnect, notifications sent while we were away are lost: re-read the table.
        // Keys may have changed too.
        for (const listener of keyListeners) listener();
        resync().catch((err: unknown) => log.error({ err }, 'revocation resync failed'));
      });
      await resync();
      const interval = options.resyncIntervalMs ?? DEFAULT_RESYNC_INTERVAL_MS;
      resyncTimer = setInterval(() => {
        resync().catch((err: unknown) => log.error({ err }, 'revocation resync failed'));
      }, interval);
      resyncTimer.unref();
    },

    async stop(): Promise<void> {
      clearInterval(resyncTimer);
      await stopListening?.().catch(() => {});
      stopListening = undefined;
    },

    /** For tests and diagnostics: how many entries are held. */
    size: () => ({ sessions: revokedSessions.size, users: userCutoffs.size }),
  };
}

export type TokenRevocations = ReturnType<typeof createTokenRevocations>;
