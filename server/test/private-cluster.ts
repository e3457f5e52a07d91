/**
 * A PostgreSQL cluster of our own (initdb in a temp folder, its own port), for fault tests that
 * stop and restart the database: the shared cluster on 5432 is never touched.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './child-server';

const run = promisify(execFile);

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort().at(-1);
  const dir = version && join(root, version, 'bin');
  return dir && existsSync(join(dir, 'initdb')) ? dir : undefined;
}

/** Why a private cluster cannot be made here, or undefined when it can. */
export function privateClusterUnavailable(): string | undefined {
  if (!binDir()) return 'PostgreSQL server binaries not found under /usr/lib/postgresql';
  if (process.getuid?.() !== 0) return 'must run as root (initdb and pg_ctl run as the postgres user)';
  return undefined;
}

export interface PrivateCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  start(): Promise<void>;
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  destroy(): Promise<void>;
}

export async function createPrivateCluster(): Promise<PrivateCluster> {
  const bin = binDir();
  if (!bin) throw new Error('no PostgreSQL binaries');
  const dir = await mkdtemp(join(tmpdir(), 'tasks-pg-'));
  const pwuid = await run('id', ['-u', 'postgres']);
  const pwgid = await run('id', ['-g', 'postgres']);
  chownSync(dir, Number(pwuid.stdout.trim()), Number(pwgid.stdout.trim()));
  const data = join(dir, 'data');
  const asPostgres = (cmd: string, args: string[]) =>
    run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]);
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const cluster: PrivateCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: async () => {
      await asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
    },
    stop: async (mode) => {
      await asPostgres('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
    },
    destroy: async () => {
      await cluster.stop('immediate').catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
