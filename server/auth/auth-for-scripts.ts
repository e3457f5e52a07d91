import type { DatabaseHandle } from '../db/client';
import { createMailer } from '../email/mailer';
import type { Env } from '../env';
import type { Logger } from '../logger';
import { createAuth } from './auth';
import { createTokenRevocations } from './revocation';
import { resolveAuthSecret } from './secret';

/**
 * Better Auth as a command-line script needs it (seed, key rotation): the servers' secret (private
 * keys are encrypted with it), no HTTP, no rate limit, no mail. The revocation store is not
 * started: a script ends no session, so there is nothing to load or listen for.
 */
export async function createAuthForScript(env: Env, database: DatabaseHandle, log: Logger) {
  return createAuth({
    db: database.db,
    baseURL: env.BETTER_AUTH_URL ?? `http://localhost:${env.PORT}`,
    secret: await resolveAuthSecret(env, log),
    trustedOrigins: [],
    jwtTtlSeconds: env.JWT_TTL_SECONDS,
    jwtRotationDays: env.JWT_ROTATION_DAYS,
    jwtGraceDays: env.JWT_GRACE_DAYS,
    rateLimitEnabled: false,
    revocations: createTokenRevocations({ database, tokenTtlSeconds: env.JWT_TTL_SECONDS, log }),
    mailer: createMailer({ ...env, EMAIL_DISABLED: true }, log),
    log,
  });
}
