import { chmod, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** The data folder cannot be made private: the message says what to do. */
export class DataDirError extends Error {
  override name = 'DataDirError';
}

const GROUP_OR_OTHERS = 0o077;

/**
 * Makes `path` a folder only this user can enter: created 0700 (with any missing parents), an
 * existing one of ours tightened to 0700, and one that is open to others and not ours to change
 * refused. The embedded database and the generated secret live there, so a world-readable folder
 * would hand every local user the emails, password hashes and sessions.
 */
export async function ensurePrivateDirectory(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  // Windows has no POSIX modes; its ACLs are inherited from the parent folder.
  if (process.platform === 'win32') return;
  const stats = await stat(path);
  if (!stats.isDirectory()) throw new DataDirError(`DATA_DIR: ${path} is not a folder`);
  if ((stats.mode & GROUP_OR_OTHERS) === 0) return;
  const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
  if (stats.uid !== process.getuid?.()) {
    throw new DataDirError(
      `DATA_DIR: ${path} is open to other users (mode ${mode}) and belongs to another user; ` +
        `run \`chmod 700 ${path}\` as its owner, or set DATA_DIR to a folder of your own`,
    );
  }
  await chmod(path, 0o700);
}

/**
 * Removes group and other permissions from everything under `path` (symbolic links aside). PGlite
 * unpacks its initial database with explicit 0666 modes and rewrites some files so at each open,
 * whatever the umask; the 0700 folder already keeps others out, this is the second line.
 */
export async function restrictTree(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  for (const entry of await readdir(path, { recursive: true })) {
    const file = join(path, entry);
    const stats = await lstat(file);
    if (!stats.isSymbolicLink() && (stats.mode & GROUP_OR_OTHERS) !== 0) {
      await chmod(file, stats.mode & 0o700);
    }
  }
}

/**
 * Files created from now on are private to this user (umask 077), whatever the shell's umask:
 * PGlite creates its files 0666 and keeps creating them while it runs. Process-wide; the server
 * writes nothing meant for other users. (Worker threads cannot change it; the folder still holds.)
 */
export function restrictUmask(): void {
  if (process.platform === 'win32' || !isMainThread) return;
  process.umask(process.umask(GROUP_OR_OTHERS) | GROUP_OR_OTHERS);
}
