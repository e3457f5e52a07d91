/**
 * The real server as its own process (`server/index.ts`, as `npm start` runs it), for tests of
 * what only a process can show: signals, exit codes, waiting for a database at start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../db/client';
import { task } from '../db/task-schema';
import { createTestDatabase, type Backend } from './databases';
import { TEST_SECRET } from './env';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A port nobody listens on right now (the child needs it before it starts: BETTER_AUTH_URL). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface ChildServer {
  child: ChildProcess;
  url: string;
  baseURL: string;
  /** Every log line so far (pino JSON, parsed). */
  logs: Record<string, unknown>[];
  /** Resolves with the exit code (a signal death is reported as null). */
  exited: Promise<number | null>;
  /** Resolves once a log line matches (rejects when the process exits first). */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<void>;
}

/**
 * Spawns `server/index.ts` under tsx with a production-like environment on a free port. Does not
 * wait for it to listen: `waitForLog((l) => l.msg?.startsWith('Tasks is running'))` does.
 */
export async function spawnServer(env: Record<string, string>): Promise<ChildServer> {
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      BETTER_AUTH_URL: baseURL,
      BETTER_AUTH_SECRET: TEST_SECRET,
      LOG_LEVEL: 'info',
      // These tests are about processes, not mail; production otherwise requires SMTP.
      EMAIL_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Should the test process end first (a timeout, a crash), the server goes with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const logs: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  const onLine = (line: string) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ msg: line });
    }
    for (const waiter of waiters) waiter();
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line.trim()) onLine(line);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    for (const waiter of waiters) waiter();
  });

  const waitForLog = (match: (line: Record<string, unknown>) => boolean, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (logs.some(match)) done(resolve);
        else if (hasExited) done(() => reject(new Error(`server exited first; logs:\n${render(logs)}`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`log line not seen in ${timeoutMs} ms; logs:\n${render(logs)}`))),
        timeoutMs,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  return { child, url: baseURL, baseURL, logs, exited, waitForLog };
}

const render = (logs: Record<string, unknown>[]) => logs.map((l) => JSON.stringify(l)).join('\n');

/** Matches the line `server/index.ts` logs once it serves. */
export const isListeningLine = (line: Record<string, unknown>): boolean =>
  typeof line.msg === 'string' && line.msg.startsWith('Tasks is running');

let template: Promise<string> | undefined;

/**
 * A migrated PGlite folder, made once per test process: creating one costs seconds (initdb), a
 * copy costs milliseconds.
 */
function pgliteTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tasks-template-'));
    const database = await openDatabase({ kind: 'pglite', dataDir: dir });
    await database.migrate();
    await database.close();
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  })();
  return template;
}

/**
 * A database for a child server: a fresh PostgreSQL database, or a PGlite folder. `taskIds`
 * reads it afterwards (for PGlite, only once the child has exited and released the folder).
 */
export interface ChildDatabase {
  env: Record<string, string>;
  /** The ids of the user's stored tasks. */
  taskIds(userId: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function childDatabase(backend: Backend): Promise<ChildDatabase> {
  if (backend === 'postgres') {
    const database = await createTestDatabase('postgres');
    const url = database.url ?? '';
    return {
      env: { DATABASE_URL: url },
      async taskIds(userId: string): Promise<string[]> {
        const rows = await database.db.select({ id: task.id }).from(task).where(eq(task.userId, userId));
        return rows.map((r) => r.id);
      },
      close: () => database.close(),
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'tasks-child-'));
  await cp(await pgliteTemplate(), join(dir, 'pglite'), { recursive: true });
  return {
    env: { DATA_DIR: dir },
    async taskIds(userId: string): Promise<string[]> {
      const database = await openDatabase({ kind: 'pglite', dataDir: join(dir, 'pglite') });
      try {
        const rows = await database.db.select({ id: task.id }).from(task).where(eq(task.userId, userId));
        return rows.map((r) => r.id);
      } finally {
        await database.close();
      }
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
