import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDirectory } from '../db/private-directory';
import type { Env } from '../env';
import type { Logger } from '../logger';

/**
 * The secret Better Auth signs cookies and encrypts private keys with. Production must set
 * BETTER_AUTH_SECRET (the env schema enforces it); in development a random one is generated
 * once and kept beside the embedded data, so sessions and keys survive restarts.
 */
export async function resolveAuthSecret(env: Env, log: Logger): Promise<string> {
  if (env.BETTER_AUTH_SECRET) return env.BETTER_AUTH_SECRET;
  // A secret in a folder others can read is no secret: refuse one we cannot make private.
  await ensurePrivateDirectory(env.DATA_DIR);
  const file = join(env.DATA_DIR, 'auth-secret');
  try {
    const saved = (await readFile(file, 'utf8')).trim();
    if (saved.length >= 32) return saved;
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
  }
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  log.warn({ file }, 'BETTER_AUTH_SECRET is not set: generated a development secret (set it in production)');
  return secret;
}
