/**
 * Signing-key rotation on top of Better Auth's JWT plugin. Scheduled rotation is the plugin's
 * own (`rotationInterval`: a key expires, the next token mints a successor, the old key stays in
 * the JWKS for `gracePeriod`). This adds the emergency path: retire the current key now, and
 * optionally remove it at once (compromise), then tell every instance to reload its JWKS.
 */
import { createJwk, type Jwk, type JwtOptions } from 'better-auth/plugins/jwt';
import { and, gt, isNull, notInArray, or } from 'drizzle-orm';
import { jwks } from '../db/auth-schema';
import type { Database } from '../db/client';
import type { Auth } from './auth';
import { announceKeyChange } from './revocation';

export interface RotationResult {
  /** The key new tokens are signed with from now on. */
  newKeyId: string;
  /** Keys that no longer sign but still verify until their grace period ends. */
  retiredKeyIds: string[];
  /** Keys deleted outright: their tokens fail everywhere within seconds. */
  removedKeyIds: string[];
}

function jwtPluginOptions(auth: Auth): JwtOptions | undefined {
  for (const plugin of auth.options.plugins) {
    if (plugin.id === 'jwt') return plugin.options;
  }
  throw new Error('the JWT plugin is not configured');
}

/**
 * Mints a new signing key and retires every other one. With `removePrevious` the old keys are
 * deleted (use when a private key may have leaked: every token they signed stops working);
 * otherwise they expire now and keep verifying for the configured grace period.
 */
export async function rotateSigningKeys(
  auth: Auth,
  db: Database,
  { removePrevious }: { removePrevious: boolean },
): Promise<RotationResult> {
  const context = await auth.$context;
  // createJwk reads only `ctx.context` (adapter and secret); there is no request here.
  const created: Jwk = await createJwk(
    { context } as Parameters<typeof createJwk>[0],
    jwtPluginOptions(auth),
  );
  const others = notInArray(jwks.id, [created.id]);

  let retiredKeyIds: string[] = [];
  let removedKeyIds: string[] = [];
  if (removePrevious) {
    removedKeyIds = (await db.delete(jwks).where(others).returning({ id: jwks.id })).map((r) => r.id);
  } else {
    const live = or(isNull(jwks.expiresAt), gt(jwks.expiresAt, new Date()));
    retiredKeyIds = (
      await db.update(jwks).set({ expiresAt: new Date() }).where(and(others, live)).returning({ id: jwks.id })
    ).map((r) => r.id);
  }
  await announceKeyChange(db);
  return { newKeyId: created.id, retiredKeyIds, removedKeyIds };
}
