import { join } from 'node:path';
import type { Env } from '../env';
import { openDatabase, type DatabaseHandle } from './client';
import { ensurePrivateDirectory } from './private-directory';

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded PGlite under DATA_DIR (made private). */
export async function openDatabaseFromEnv(env: Env): Promise<DatabaseHandle> {
  if (!env.DATABASE_URL) await ensurePrivateDirectory(env.DATA_DIR);
  return openDatabase(
    env.DATABASE_URL
      ? {
          kind: 'postgres',
          url: env.DATABASE_URL,
          poolMax: env.DATABASE_POOL_MAX,
          statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
          directUrl: env.DATABASE_DIRECT_URL,
          prepare: env.DATABASE_PREPARED_STATEMENTS,
        }
      : { kind: 'pglite', dataDir: join(env.DATA_DIR, 'pglite') },
  );
}
