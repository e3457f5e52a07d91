/**
 * `npm run auth:rotate-keys [-- --remove-previous]`: emergency rotation of the JWT signing key.
 *
 * Default: a new key signs from now on; the previous keys stop signing but keep verifying for
 * JWT_GRACE_DAYS, so nobody is signed out. With --remove-previous (a private key may have
 * leaked) the previous keys are deleted: every token they signed fails on every instance within
 * seconds, and clients fetch a new token with their session (sessions are untouched).
 *
 * PostgreSQL: run it beside the running instances; they reload their key sets through NOTIFY.
 * PGlite is single-process: stop the server first (it cannot share its data directory); the new
 * key set is loaded when the server starts again.
 */
import { parseArgs } from 'node:util';
import { createAuthForScript } from '../server/auth/auth-for-scripts';
import { rotateSigningKeys } from '../server/auth/key-rotation';
import { openDatabaseFromEnv } from '../server/db/open-from-env';
import { parseEnv } from '../server/env';
import { createLogger } from '../server/logger';

const { values } = parseArgs({
  options: { 'remove-previous': { type: 'boolean', default: false } },
  strict: true,
});

const env = parseEnv();
const log = createLogger(env.LOG_LEVEL);
const database = await openDatabaseFromEnv(env);
try {
  await database.migrate();
  const auth = await createAuthForScript(env, database, log);
  const result = await rotateSigningKeys(auth, database.db, { removePrevious: values['remove-previous'] });
  // Key ids only: they are public (every JWT header and the JWKS carry them).
  console.log(`New signing key: ${result.newKeyId}`);
  if (result.removedKeyIds.length)
    console.log(`Removed (their tokens now fail): ${result.removedKeyIds.join(', ')}`);
  if (result.retiredKeyIds.length) {
    console.log(`Retired (verify for ${env.JWT_GRACE_DAYS} more days): ${result.retiredKeyIds.join(', ')}`);
  }
} finally {
  await database.close();
}
