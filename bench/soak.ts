/**
 * `npm run bench:soak` (issue 8): the project under many connected users, then under a moderate
 * load for a long time, on PostgreSQL. A benchmark, not a test: it prints what it measured and
 * fails only when it cannot set up.
 *
 *   Phase 1, load: BENCH_LOAD_USERS (1000) simulated users, each with its own keep-alive
 *   connection, each calling task.list / task.create / task.toggle in turn once a second, open
 *   loop, for BENCH_LOAD_SECONDS (60).
 *   Phase 2, soak: BENCH_SOAK_RATE (200) req/s mixed, one connection per user (one request a
 *   second each), for BENCH_SOAK_SECONDS (600); every 10 s the server's RSS, V8 heap, open file
 *   descriptors and connections to the bench database.
 *
 *   DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres) admin URL: a fresh database is
 *   created and dropped. BENCH_ACCOUNTS (= users) accounts are signed up through Better Auth
 *   until BENCH_SIGNUP_SECONDS (120) have passed; if fewer, the simulated users share them.
 *   BENCH_TASKS (50) tasks per account. BENCH_HEAP_SNAPSHOTS=1: heap snapshots of the server
 *   after warm-up and at the end, in .bench-profiles/ (to compare in Chrome DevTools).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { percentile, startOpenLoop, type LoadUser, type OpenLoopResult, type Progress } from './open-loop';
import { startTarget, type Target } from './processes';
import { seedTasksSql, signUpUsers } from './seed';

const int = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const loadUsers = int('BENCH_LOAD_USERS', 1000);
const loadSeconds = int('BENCH_LOAD_SECONDS', 60);
const soakRate = int('BENCH_SOAK_RATE', 200);
const soakSeconds = int('BENCH_SOAK_SECONDS', 600);
const accountsWanted = int('BENCH_ACCOUNTS', loadUsers);
const signUpSeconds = int('BENCH_SIGNUP_SECONDS', 120);
const tasksPerAccount = int('BENCH_TASKS', 50);
const poolMax = int('DATABASE_POOL_MAX', 10);
const heapSnapshots = process.env.BENCH_HEAP_SNAPSHOTS === '1';
const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const SAMPLE_MS = 10_000;
const WARM_UP_S = 60;
const TIMEOUT_MS = 30_000;

interface MemorySample {
  t: number;
  rssMb: number;
  heapUsedMb: number;
  connections: number;
  fds: number;
  rps: number;
  failed: number;
  /** The server's longest event-loop delay in the last 2 s. */
  loopDelayMs: number;
}

const loadAverageAtStart = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const startedAt = new Date();
const dbName = `tasks_soak_${randomBytes(6).toString('hex')}`;
const scratch = mkdtempSync(join(tmpdir(), 'tasks-soak-'));
const heapFile = join(scratch, 'heap.json');
const profileDir = join(process.cwd(), '.bench-profiles');
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
let server: Target | undefined;
let created = false;

let cleaning: Promise<void> | undefined;
/** Stops the server and drops the database; safe to call twice (finally + a signal). */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await server?.stop();
    if (created) await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end({ timeout: 5 });
    rmSync(scratch, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the server and dropping ${dbName}…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

let exitCode = 0;
try {
  await admin.unsafe(`create database "${dbName}"`);
  created = true;
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const benchUrl = url.toString();

  const secret = randomBytes(32).toString('base64url');
  if (heapSnapshots) mkdirSync(profileDir, { recursive: true });
  server = await startTarget(
    'project',
    'server/index.ts',
    (port) => ({
      NODE_ENV: 'production',
      EMAIL_DISABLED: 'true',
      BETTER_AUTH_SECRET: secret,
      BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
      TRUSTED_PROXIES: '127.0.0.1',
      JWT_TTL_SECONDS: '3600',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
      DATABASE_URL: benchUrl,
      DATABASE_POOL_MAX: String(poolMax),
      BENCH_HEAP_FILE: heapFile,
    }),
    [
      '--import',
      'tsx',
      '--import',
      join(process.cwd(), 'bench/heap-probe.ts'),
      '--heapsnapshot-signal=SIGUSR2',
      `--diagnostic-dir=${profileDir}`,
    ],
  );
  const pid = server.child.pid ?? 0;

  console.log(`Signing up up to ${accountsWanted} accounts through Better Auth (${signUpSeconds} s budget)…`);
  const signUpStart = performance.now();
  const accounts = await signUpUsers(server.url, accountsWanted, Date.now() + signUpSeconds * 1000);
  const signUpS = (performance.now() - signUpStart) / 1000;
  if (accounts.length === 0) throw new Error('no account could be signed up');
  console.log(
    `  ${accounts.length} accounts in ${signUpS.toFixed(1)} s (${((signUpS * 1000) / accounts.length).toFixed(0)} ms each, two at a time)`,
  );

  const taskIds = new Map<string, string>();
  {
    const bench = postgres(benchUrl, { max: 1, onnotice: () => {} });
    try {
      await seedTasksSql(
        bench,
        accounts.map((a) => a.id),
        tasksPerAccount,
      );
      // The newest task of each account, for task.toggle (by SQL: 1,000 API calls at once would be shed).
      const rows = await bench<{ userId: string; id: string }[]>`
        select distinct on (user_id) user_id as "userId", id from task order by user_id, created_at desc`;
      for (const row of rows) taskIds.set(row.userId, row.id);
    } finally {
      await bench.end();
    }
  }
  const users: LoadUser[] = Array.from({ length: Math.max(loadUsers, soakRate) }, (_, i) => {
    const account = accounts[i % accounts.length];
    if (!account) throw new Error('no account');
    return { token: account.token, taskId: taskIds.get(account.id) ?? '' };
  });

  const connections = async () =>
    Number(
      (
        await admin<{ n: string }[]>`
          select count(*) as n from pg_stat_activity where datname = ${dbName}`
      )[0]?.n ?? NaN,
    );
  const fds = () => {
    try {
      return readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      return NaN;
    }
  };
  const rssMb = () => {
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return Number(kb) / 1024;
    } catch {
      return NaN;
    }
  };
  const loopDelayMaxMs = () => {
    try {
      return (JSON.parse(readFileSync(heapFile, 'utf8')) as { loopDelayMaxMs: number }).loopDelayMaxMs;
    } catch {
      return NaN;
    }
  };
  const heapUsedMb = () => {
    try {
      return (JSON.parse(readFileSync(heapFile, 'utf8')) as { heapUsed: number }).heapUsed / 2 ** 20;
    } catch {
      return NaN;
    }
  };
  const idle = { rssMb: rssMb(), heapUsedMb: heapUsedMb(), fds: fds(), connections: await connections() };

  // Phase 1.
  console.log(`Load: ${loadUsers} users × 1 req/s for ${loadSeconds} s (open loop)…`);
  const load = startOpenLoop({
    url: server.url,
    users: users.slice(0, loadUsers),
    ratePerUser: 1,
    seconds: loadSeconds,
    timeoutMs: TIMEOUT_MS,
  });
  let loadPeakConnections = 0;
  let loadLoopDelayMaxMs = 0;
  const loadWatch = setInterval(() => {
    loadLoopDelayMaxMs = Math.max(loadLoopDelayMaxMs, loopDelayMaxMs() || 0);
    void connections().then((n) => (loadPeakConnections = Math.max(loadPeakConnections, n)));
  }, 1_000);
  const loadResult = await load.done;
  clearInterval(loadWatch);
  const loadEnd = { rssMb: rssMb(), heapUsedMb: heapUsedMb(), fds: fds() };
  console.log(
    `  the server's event loop was delayed up to ${loadLoopDelayMaxMs.toFixed(0)} ms (2 s windows)`,
  );

  // Let the server close the load phase's idle connections (keep-alive timeout 5 s) before the soak.
  await new Promise((r) => setTimeout(r, 7_000));

  // Phase 2.
  console.log(`Soak: ${soakRate} req/s mixed for ${soakSeconds} s; a sample every ${SAMPLE_MS / 1000} s…`);
  const soak = startOpenLoop({
    url: server.url,
    users: users.slice(0, soakRate),
    ratePerUser: 1,
    seconds: soakSeconds,
    timeoutMs: TIMEOUT_MS,
  });
  const samples: MemorySample[] = [];
  const soakStart = performance.now();
  let last: Progress = { sent: 0, completed: 0, failed: 0 };
  const sample = async () => {
    const now = { ...soak.progress };
    const s: MemorySample = {
      t: Math.round((performance.now() - soakStart) / 1000),
      rssMb: rssMb(),
      heapUsedMb: heapUsedMb(),
      connections: await connections(),
      fds: fds(),
      rps: (now.completed - last.completed) / (SAMPLE_MS / 1000),
      failed: now.failed - last.failed,
      loopDelayMs: loopDelayMaxMs(),
    };
    last = now;
    samples.push(s);
    console.log(
      `  t=${s.t}s rss=${s.rssMb.toFixed(1)}MB heap=${s.heapUsedMb.toFixed(1)}MB pg=${s.connections} fds=${s.fds} req/s=${s.rps.toFixed(0)} failed=${s.failed} loop-delay=${s.loopDelayMs.toFixed(0)}ms`,
    );
    if (heapSnapshots && s.t >= WARM_UP_S && s.t < WARM_UP_S + SAMPLE_MS / 1000)
      server?.child.kill('SIGUSR2');
  };
  await sample();
  // Samples at 10, 20, …, and the last one just before the schedule ends (connections still open).
  const sampler = setInterval(() => {
    if (performance.now() - soakStart < soakSeconds * 1000 - 5_000) void sample();
  }, SAMPLE_MS);
  const lastSample = setTimeout(() => void sample(), soakSeconds * 1000 - 100);
  const soakResult = await soak.done;
  clearInterval(sampler);
  clearTimeout(lastSample);
  if (heapSnapshots) server.child.kill('SIGUSR2');
  // Once the bench's connections are closed: what the server still holds.
  await new Promise((r) => setTimeout(r, 2_000));
  const after = { rssMb: rssMb(), heapUsedMb: heapUsedMb(), fds: fds(), connections: await connections() };

  printReport({
    signUpS,
    accounts: accounts.length,
    idle,
    loadResult,
    loadPeakConnections,
    loadEnd,
    soakResult,
    samples,
    after,
  });
} catch (error) {
  console.error('bench:soak could not run:', error);
  exitCode = 1;
} finally {
  await cleanUp();
}
process.exit(exitCode);

function printReport(r: {
  signUpS: number;
  accounts: number;
  idle: { rssMb: number; heapUsedMb: number; fds: number; connections: number };
  loadResult: OpenLoopResult;
  loadPeakConnections: number;
  loadEnd: { rssMb: number; heapUsedMb: number; fds: number };
  soakResult: OpenLoopResult;
  samples: MemorySample[];
  after: { rssMb: number; heapUsedMb: number; fds: number; connections: number };
}): void {
  const f = (n: number, digits = 0) =>
    Number.isFinite(n)
      ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
      : 'n/a';
  const errors = (e: OpenLoopResult['errors']) =>
    e.size === 0
      ? 'none'
      : [...e]
          .sort((a, b) => b[1].count - a[1].count)
          .map(([kind, x]) => `${f(x.count)} × ${kind} (${f(x.first, 1)}–${f(x.last, 1)} s)`)
          .join('; ');
  const phaseRow = (name: string, x: OpenLoopResult, offered: number) =>
    `| ${name} | ${f(offered)} | ${f(x.sent)} | ${f(x.completed)} | ${f(x.failed)} | ${f(x.completed / x.seconds)} | ` +
    `${f(percentile(x.latencies, 50), 1)} | ${f(percentile(x.latencies, 99), 1)} | ${f(x.latencies[x.latencies.length - 1] ?? NaN, 1)} | ` +
    `${f(x.sendLagP99, 1)} | ${f(x.generatorCpuMs / 1000 / x.seconds, 2)} |`;

  const warm = r.samples.find((s) => s.t >= WARM_UP_S) ?? r.samples[0];
  const end = r.samples[r.samples.length - 1];
  // The first sample with the soak's connections open (t = 0 is taken before they are).
  const first = r.samples[1] ?? r.samples[0];
  const conns = r.samples.map((s) => s.connections).filter(Number.isFinite);
  // RSS moves ±20 % with each major GC: compare a minute after warm-up with the last minute too.
  const window = (from: number, to: number) => {
    const rss = r.samples.filter((s) => s.t >= from && s.t <= to).map((s) => s.rssMb);
    return rss.length ? `${f(Math.min(...rss), 1)}–${f(Math.max(...rss), 1)}` : 'n/a';
  };
  const lastT = end?.t ?? 0;
  const growth = warm && end ? end.rssMb - warm.rssMb : NaN;
  const heapGrowth = warm && end ? end.heapUsedMb - warm.heapUsedMb : NaN;
  const lines = [
    `${startedAt.toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · PostgreSQL · ` +
      `load average at start ${loadAverageAtStart} · ${r.accounts} accounts signed up in ${f(r.signUpS, 1)} s ` +
      `(${f((r.signUpS * 1000) / r.accounts)} ms each)` +
      (r.accounts < Math.max(loadUsers, soakRate)
        ? ` · ${Math.max(loadUsers, soakRate)} simulated users share them (same token per account)`
        : '') +
      ` · ${tasksPerAccount} tasks per account · pool max ${poolMax}`,
    '',
    '| phase | offered req/s | sent | completed (2xx) | errors | achieved req/s | p50 ms | p99 ms | max ms | send lag p99 ms | generator CPU (cores) |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    phaseRow(`load: ${loadUsers} users × 1/s, ${loadSeconds} s`, r.loadResult, loadUsers),
    phaseRow(`soak: ${soakRate} users × 1/s, ${soakSeconds} s`, r.soakResult, soakRate),
    '',
    `Errors, load: ${errors(r.loadResult.errors)}. Errors, soak: ${errors(r.soakResult.errors)}.`,
    `Latency from the scheduled send time; list, create and toggle in turn; one keep-alive connection per user.`,
    '',
    '| server | idle (before load) | load: end | soak: start | soak: after warm-up | soak: end | growth after warm-up | after the soak (bench disconnected) |',
    '| --- | --: | --: | --: | --: | --: | --: | --: |',
    `| RSS MB | ${f(r.idle.rssMb, 1)} | ${f(r.loadEnd.rssMb, 1)} | ${f(first?.rssMb ?? NaN, 1)} | ${f(warm?.rssMb ?? NaN, 1)} (t=${warm?.t ?? '?'} s) | ` +
      `${f(end?.rssMb ?? NaN, 1)} | ${f(growth, 1)} MB (${f((growth / (warm?.rssMb ?? NaN)) * 100, 1)} %) | ${f(r.after.rssMb, 1)} |`,
    `| RSS MB, min–max over a minute | | | | ${window(WARM_UP_S, WARM_UP_S + 60)} (t=${WARM_UP_S}–${WARM_UP_S + 60} s) | ${window(lastT - 60, lastT)} (t=${lastT - 60}–${lastT} s) | | |`,
    `| V8 heap used MB | ${f(r.idle.heapUsedMb, 1)} | ${f(r.loadEnd.heapUsedMb, 1)} | ${f(first?.heapUsedMb ?? NaN, 1)} | ${f(warm?.heapUsedMb ?? NaN, 1)} | ` +
      `${f(end?.heapUsedMb ?? NaN, 1)} | ${f(heapGrowth, 1)} MB (${f((heapGrowth / (warm?.heapUsedMb ?? NaN)) * 100, 1)} %) | ${f(r.after.heapUsedMb, 1)} |`,
    `| open fds | ${f(r.idle.fds)} | ${f(r.loadEnd.fds)} | ${f(first?.fds ?? NaN)} | ${f(warm?.fds ?? NaN)} | ${f(end?.fds ?? NaN)} | ${f((end?.fds ?? NaN) - (warm?.fds ?? NaN))} | ${f(r.after.fds)} |`,
    '',
    '| PostgreSQL connections of the server | idle | load: peak | soak: min | soak: max | after the soak | bound (pool max + 1 LISTEN) |',
    '| --- | --: | --: | --: | --: | --: | --: |',
    `| ${dbName.replace(/_[0-9a-f]+$/, '_…')} | ${f(r.idle.connections)} | ${f(r.loadPeakConnections)} | ${f(Math.min(...conns))} | ${f(Math.max(...conns))} | ${f(r.after.connections)} | ${poolMax + 1} |`,
    '',
    '| t s | RSS MB | heap used MB | PostgreSQL connections | fds | req/s | errors | event-loop delay max ms |',
    '| --: | --: | --: | --: | --: | --: | --: | --: |',
    ...r.samples.map(
      (s) =>
        `| ${s.t} | ${f(s.rssMb, 1)} | ${f(s.heapUsedMb, 1)} | ${f(s.connections)} | ${f(s.fds)} | ${f(s.rps)} | ${f(s.failed)} | ${f(s.loopDelayMs)} |`,
    ),
  ];
  console.log(`\n${lines.join('\n')}`);
}
