/**
 * Debian's PgBouncer in transaction mode in front of a PostgreSQL server, for fault tests: its own
 * config and port in a temp folder, run as the postgres user (PgBouncer refuses to run as root).
 */
import { execFile, spawn } from 'node:child_process';
import { chownSync, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { freePort } from './child-server';
import { waitFor } from './wait';

const PGBOUNCER = '/usr/sbin/pgbouncer';
const run = promisify(execFile);

/** Why PgBouncer cannot be started here, or undefined when it can. */
export function pgbouncerUnavailable(): string | undefined {
  if (!existsSync(PGBOUNCER))
    return `${PGBOUNCER} not found (apt-get install -y --no-install-recommends pgbouncer)`;
  if (process.getuid?.() !== 0) return 'must run as root (PgBouncer is started as the postgres user)';
  return undefined;
}

export interface Bouncer {
  /** `databaseUrl` with host and port replaced by PgBouncer's. */
  url: string;
  /** Everything PgBouncer logged. */
  output: string[];
  stop(): Promise<void>;
}

/**
 * Starts PgBouncer (pool_mode=transaction) forwarding to `databaseUrl`'s server; resolves once a
 * query through it answers. `extra` lines go into the [pgbouncer] section.
 */
export async function startPgBouncer(databaseUrl: string, extra: string[] = []): Promise<Bouncer> {
  const target = new URL(databaseUrl);
  const user = decodeURIComponent(target.username || 'postgres');
  const password = decodeURIComponent(target.password);
  const dir = await mkdtemp(join(tmpdir(), 'tasks-pgbouncer-'));
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  chownSync(dir, uid, gid);
  const port = await freePort();
  const server = [
    `host=${target.hostname}`,
    `port=${target.port || '5432'}`,
    `user=${user}`,
    ...(password ? [`password=${password}`] : []),
  ].join(' ');
  const config = [
    '[databases]',
    `* = ${server}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${join(dir, 'users.txt')}`,
    'pool_mode = transaction',
    'max_client_conn = 200',
    'default_pool_size = 4',
    ...extra,
    '',
  ].join('\n');
  await writeFile(join(dir, 'users.txt'), `"${user}" ""\n`);
  await writeFile(join(dir, 'pgbouncer.ini'), config);
  chownSync(join(dir, 'users.txt'), uid, gid);
  chownSync(join(dir, 'pgbouncer.ini'), uid, gid);

  const output: string[] = [];
  // Spawned as the postgres user directly (not through runuser), so the test owns PgBouncer's pid.
  const child = spawn(PGBOUNCER, [join(dir, 'pgbouncer.ini')], {
    uid,
    gid,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  let gone = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      gone = true;
      process.off('exit', killOnExit);
      resolve();
    }),
  );
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const stop = async () => {
    // SIGTERM: PgBouncer exits at once (SIGINT would wait for its clients).
    if (!gone) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (gone) throw new Error(`pgbouncer exited:\n${output.join('')}\n${config}`);
        const probe = postgres(url.toString(), { max: 1, connect_timeout: 2, onnotice: () => {} });
        try {
          await probe`select 1`;
          return true;
        } catch {
          return false;
        } finally {
          await probe.end({ timeout: 1 });
        }
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'pgbouncer answering' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: url.toString(), output, stop };
}
