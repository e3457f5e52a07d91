/**
 * `npm run bench`: the project's HTTP `task.list`, `task.create` and `task.toggle` against a raw
 * baseline (`bench/peers/raw-server.ts`) and a typical REST peer (`bench/peers/express-server.ts`)
 * on the same data and tokens, targets alternated A B C A B C, medians and paired ratios.
 *
 * PostgreSQL when DATABASE_URL is set (a fresh database, dropped at the end); otherwise the
 * project alone on its embedded PGlite (the peers cannot open a database held by another process).
 *
 *   BENCH_SECONDS (3)   length of one run       BENCH_ROUNDS (3)   rounds per scenario
 *   BENCH_USERS (20)    accounts signed up      BENCH_TASKS (100)  tasks per account
 *   BENCH_ONLY=list     only the scenarios whose label starts so ("list c=100")
 *   BENCH_PROFILE=1     also write a --cpu-prof of the project and print its top frames
 *   BENCH_GROWTH=1      then task.list latency as the table grows 100k -> 1M -> 10M rows (PostgreSQL;
 *                       BENCH_GROWTH_SIZES=20000,50000 for a quick check)
 *   Micro-benchmarks of the request path (verification, procedures): `npm run bench:micro`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { runGrowth } from './growth';
import { runLoad, type Operation, type Sample } from './load';
import { postgresCpu, startTarget, type Target } from './processes';
import { printTopFrames } from './profile';
import { firstTaskIds, seedTasksApi, seedTasksSql, signUpUsers } from './seed';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const userCount = Number(process.env.BENCH_USERS ?? 20);
const tasksPerUser = Number(process.env.BENCH_TASKS ?? 100);
const profile = process.env.BENCH_PROFILE === '1';
const growth = process.env.BENCH_GROWTH === '1' || process.argv.includes('--growth');
const adminUrl = process.env.DATABASE_URL;

const only = process.env.BENCH_ONLY; // e.g. "list" or "list c=100"
const scenarios = (
  [
    { operation: 'list', connections: 10 },
    { operation: 'list', connections: 100 },
    { operation: 'create', connections: 10 },
    { operation: 'toggle', connections: 10 },
  ] satisfies { operation: Operation; connections: number }[]
).filter((s) => !only || `${s.operation} c=${s.connections}`.startsWith(only));

const dbName = `tasks_bench_${randomBytes(6).toString('hex')}`;
const admin = adminUrl ? postgres(adminUrl, { max: 1, onnotice: () => {} }) : undefined;
const dataDir = adminUrl ? undefined : mkdtempSync(join(tmpdir(), 'tasks-bench-'));
const profileDir = join(process.cwd(), '.bench-profiles');
let benchUrl: string | undefined;
if (admin && adminUrl) {
  await admin.unsafe(`create database "${dbName}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  benchUrl = url.toString();
}
const bench = benchUrl ? postgres(benchUrl, { max: 1, onnotice: () => {} }) : undefined;

const targets: Target[] = [];
try {
  const secret = randomBytes(32).toString('base64url');
  const project = await startTarget(
    'project',
    'server/index.ts',
    (port) => ({
      NODE_ENV: 'production',
      BETTER_AUTH_SECRET: secret,
      BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
      TRUSTED_PROXIES: '127.0.0.1',
      EMAIL_DISABLED: 'true',
      JWT_TTL_SECONDS: '3600',
      LOG_LEVEL: 'warn',
      ...(benchUrl ? { DATABASE_URL: benchUrl } : { DATABASE_URL: '', DATA_DIR: dataDir ?? '' }),
    }),
    profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  );
  targets.push(project);
  console.log(`Signing up ${userCount} users through Better Auth…`);
  const accounts = await signUpUsers(project.url, userCount);
  console.log(`Seeding ${tasksPerUser} tasks per user…`);
  if (bench)
    await seedTasksSql(
      bench,
      accounts.map((a) => a.id),
      tasksPerUser,
    );
  else await seedTasksApi(project.url, accounts, tasksPerUser);
  const users = await firstTaskIds(project.url, accounts);

  if (bench && benchUrl) {
    const jwks = JSON.stringify(await (await fetch(`${project.url}/api/auth/jwks`)).json());
    const peerEnv = () => ({
      DATABASE_URL: benchUrl ?? '',
      JWKS: jwks,
      ISSUER: project.url,
      NODE_ENV: 'production',
    });
    targets.push(await startTarget('raw', 'bench/peers/raw-server.ts', peerEnv));
    targets.push(await startTarget('express', 'bench/peers/express-server.ts', peerEnv));
  } else {
    console.log(
      'No DATABASE_URL: measuring the project alone on embedded PGlite (server and database in one',
    );
    console.log(
      'process, so "server CPU" includes the database). Set DATABASE_URL to compare with the peers.',
    );
  }
  const pgCpu = bench && admin ? () => postgresCpu(admin, dbName) : undefined;

  for (const target of targets) {
    const pid = target.child.pid ?? 0;
    for (const operation of ['list', 'toggle'] as const) {
      await runLoad({ url: target.url, pid, operation, users, connections: 10, seconds: 1 });
    }
  }

  const results = new Map<string, Sample[]>();
  for (const { operation, connections } of scenarios) {
    for (let round = 0; round < rounds; round++) {
      for (const target of targets) {
        const sample = await runLoad({
          url: target.url,
          pid: target.child.pid ?? 0,
          operation,
          users,
          connections,
          seconds,
          pgCpu,
        });
        if (sample.failed)
          console.warn(`  ${target.name} ${operation} c=${connections}: ${sample.failed} failed`);
        const key = `${operation}|${connections}|${target.name}`;
        results.set(key, [...(results.get(key) ?? []), sample]);
      }
    }
    console.log(`  done: ${operation} c=${connections}`);
  }

  printReport(
    results,
    targets.map((t) => t.name),
  );

  if (growth) {
    if (bench) await runGrowth({ sql: bench, url: project.url, pid: project.child.pid ?? 0, user: users[0] });
    else console.log('\nGrowth test skipped: it needs PostgreSQL (set DATABASE_URL).');
  }
} finally {
  for (const target of targets.reverse()) await target.stop();
  await bench?.end();
  if (admin) {
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
if (profile) printTopFrames(profileDir);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

function printReport(results: Map<string, Sample[]>, names: string[]): void {
  const f = (n: number, digits = 0) =>
    Number.isFinite(n)
      ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
      : 'n/a';
  const lines = [
    `${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · ` +
      `${adminUrl ? 'PostgreSQL' : 'PGlite (embedded)'} · ${userCount} users × ${tasksPerUser} tasks · ` +
      `${rounds} rounds × ${seconds} s, alternated`,
    '',
    '| operation | target | req/s | p50 ms | p99 ms | server CPU ms/req | PostgreSQL CPU ms/req | bytes/resp |',
    '| --- | --- | --: | --: | --: | --: | --: | --: |',
  ];
  const ratioLines = [
    '',
    '| operation | vs | req/s ratio | p50 ratio | p99 ratio | PostgreSQL CPU ratio | server CPU ratio |',
    '| --- | --- | --: | --: | --: | --: | --: |',
  ];
  for (const { operation, connections } of scenarios) {
    const label = `${operation} c=${connections}`;
    for (const name of names) {
      const s = results.get(`${operation}|${connections}|${name}`) ?? [];
      const m = (pick: (x: Sample) => number) => median(s.map(pick));
      lines.push(
        `| ${label} | ${name} | ${f(m((x) => x.rps))} | ${f(
          m((x) => x.p50),
          1,
        )} | ${f(
          m((x) => x.p99),
          1,
        )} | ` +
          `${f(
            m((x) => x.serverCpu),
            3,
          )} | ${f(
            m((x) => x.pgCpu),
            3,
          )} | ${f(m((x) => x.bytes))} |`,
      );
    }
    const mine = results.get(`${operation}|${connections}|project`) ?? [];
    for (const peer of names.filter((n) => n !== 'project')) {
      const theirs = results.get(`${operation}|${connections}|${peer}`) ?? [];
      // Paired: each round's project run against the peer run right next to it.
      const ratio = (pick: (x: Sample) => number) =>
        median(mine.map((x, i) => pick(x) / pick(theirs[i] ?? x)).filter(Number.isFinite));
      ratioLines.push(
        `| ${label} | ${peer} | ${f(
          ratio((x) => x.rps),
          2,
        )}x | ${f(
          ratio((x) => x.p50),
          2,
        )}x | ` +
          `${f(
            ratio((x) => x.p99),
            2,
          )}x | ${f(
            ratio((x) => x.pgCpu),
            2,
          )}x | ${f(
            ratio((x) => x.serverCpu),
            2,
          )}x |`,
      );
    }
  }
  console.log(`\n${lines.join('\n')}`);
  if (names.length > 1)
    console.log(`${ratioLines.join('\n')}\n\n(ratios: project ÷ peer, median of paired rounds)`);
}
