/**
 * The zero-configuration path keeps the embedded database and the development secret in DATA_DIR:
 * no other local user may read or write them (emails, password hashes, sessions, tasks).
 */
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveAuthSecret } from '../auth/secret';
import { silentLogger, testEnv } from '../test/env';
import { user } from './auth-schema';
import { openDatabaseFromEnv } from './open-from-env';
import { DataDirError } from './private-directory';

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

/** Every file and folder under `root` whose mode lets group or others in, with its mode. */
async function openToOthers(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(root, { recursive: true })) {
    const path = join(root, entry);
    const stats = await lstat(path);
    if (!stats.isSymbolicLink() && (stats.mode & 0o077) !== 0) {
      found.push(`${entry} ${(stats.mode & 0o777).toString(8)}`);
    }
  }
  return found;
}

describe('DATA_DIR of the embedded database', () => {
  let root: string;
  let umask: number;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tasks-data-dir-'));
    // The usual shell default, under which PGlite's files used to come out world-readable.
    umask = process.umask(0o022);
  });
  afterEach(async () => {
    process.umask(umask);
    await rm(root, { recursive: true, force: true });
  });

  it('is created 0700, and neither the database nor the secret can be read by others under umask 022', async () => {
    const dataDir = join(root, 'new', '.data');
    const env = testEnv({ DATA_DIR: dataDir });
    const database = await openDatabaseFromEnv(env);
    try {
      await database.migrate();
      // Writes after opening create more files (WAL, relations).
      await database.db
        .insert(user)
        .values({ id: 'u1', name: 'Ann', email: 'ann@example.com', emailVerified: false });
    } finally {
      await database.close();
    }
    await resolveAuthSecret(env, silentLogger());
    // Files an older version left open, and those PGlite rewrites at every open, are tightened too.
    await chmod(join(dataDir, 'pglite', 'PG_VERSION'), 0o666);
    await (await openDatabaseFromEnv(env)).close();

    expect(await modeOf(dataDir)).toBe(0o700);
    expect(await modeOf(join(dataDir, 'auth-secret'))).toBe(0o600);
    expect((await readdir(join(dataDir, 'pglite'))).length).toBeGreaterThan(5);
    expect(await openToOthers(dataDir)).toEqual([]);
  });

  it('tightens an existing DATA_DIR (and database folder) of ours that others could enter', async () => {
    const dataDir = join(root, '.data');
    await mkdir(join(dataDir, 'pglite'), { recursive: true });
    await chmod(dataDir, 0o755);
    await chmod(join(dataDir, 'pglite'), 0o777);
    const database = await openDatabaseFromEnv(testEnv({ DATA_DIR: dataDir }));
    await database.close();
    expect(await modeOf(dataDir)).toBe(0o700);
    expect(await modeOf(join(dataDir, 'pglite'))).toBe(0o700);
  });

  // Only root can give a folder to another user.
  it.runIf(process.getuid?.() === 0)(
    'refuses to start on a DATA_DIR open to others that is not ours to change, and says what to do',
    async () => {
      const dataDir = join(root, 'shared');
      await mkdir(dataDir, { mode: 0o755 });
      await chmod(dataDir, 0o755);
      await chown(dataDir, 65534, 65534);
      const env = testEnv({ DATA_DIR: dataDir });

      const opening = openDatabaseFromEnv(env);
      await expect(opening).rejects.toThrow(DataDirError);
      await expect(opening).rejects.toThrow(/DATA_DIR: .* is open to other users \(mode 0755\).*chmod 700/);
      await expect(resolveAuthSecret(env, silentLogger())).rejects.toThrow(DataDirError);
      expect(await readdir(dataDir)).toEqual([]);
      expect(await modeOf(dataDir)).toBe(0o755);
    },
  );
});
