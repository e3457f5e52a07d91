/**
 * The bench's targets as child processes (one per server, so CPU is counted per process) and
 * CPU time read from /proc, for them and for the PostgreSQL backends serving the bench database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Sql } from 'postgres';

const TICK_MS = 10; // CLK_TCK is 100 on Linux

/** User + system CPU of a process so far, in ms (0 once it has gone). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Target {
  name: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Runs a TypeScript entry under Node (tsx as a loader, so the pid is the server itself). */
export async function startTarget(
  name: string,
  entry: string,
  env: (port: number) => Record<string, string>,
  nodeFlags: string[] = [],
): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', entry], {
    env: { ...process.env, ...env(port), PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name,
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** CPU of the PostgreSQL backends connected to `database` (not this one), summed over a run. */
export async function postgresCpu(admin: Sql, database: string): Promise<() => Promise<number>> {
  const pids = async () =>
    (
      await admin<{ pid: number }[]>`
        select pid from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid()`
    ).map((r) => r.pid);
  const before = new Map((await pids()).map((pid) => [pid, cpuMs(pid)]));
  return async () => {
    let total = 0;
    for (const pid of new Set([...before.keys(), ...(await pids())])) {
      const now = cpuMs(pid); // 0: the backend has exited, its time is lost
      if (now > 0) total += now - (before.get(pid) ?? 0);
    }
    return total;
  };
}
