/**
 * `npm run bench:live` (also run at the end of `npm run bench` with BENCH_LIVE=1): live-update
 * delivery and the cost of open streams. The project runs as its own process (PostgreSQL when
 * DATABASE_URL is set, else embedded PGlite); this process opens LIVE_STREAMS `task.changes`
 * streams spread over LIVE_USERS accounts, then, one at a time, creates a task for a random
 * account and times how long each of that account's streams takes to receive the event.
 *
 *   LIVE_USERS (50)  LIVE_STREAMS (1000)  LIVE_EVENTS (200)
 *
 * Prints: delivery latency p50/p99 (mutation sent → event read by every stream of the user; the
 * mutation's own round trip included), and the server's RSS before and after the
 * streams opened, per 1,000 streams.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { startTarget } from './processes';
import { signUpUsers } from './seed';

const userCount = Number(process.env.LIVE_USERS ?? 50);
const streamCount = Number(process.env.LIVE_STREAMS ?? 1000);
const eventCount = Number(process.env.LIVE_EVENTS ?? 200);
const perUser = Math.ceil(streamCount / userCount);
const adminUrl = process.env.DATABASE_URL;

const rssKb = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
};

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

const dbName = `tasks_bench_live_${randomBytes(6).toString('hex')}`;
const admin = adminUrl ? postgres(adminUrl, { max: 1, onnotice: () => {} }) : undefined;
const dataDir = adminUrl ? undefined : mkdtempSync(join(tmpdir(), 'tasks-bench-live-'));
let benchUrl: string | undefined;
if (admin && adminUrl) {
  await admin.unsafe(`create database "${dbName}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  benchUrl = url.toString();
}

const secret = randomBytes(32).toString('base64url');
const project = await startTarget('project', 'server/index.ts', (port) => ({
  NODE_ENV: 'production',
  BETTER_AUTH_SECRET: secret,
  BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
  TRUSTED_PROXIES: '127.0.0.1',
  EMAIL_DISABLED: 'true',
  JWT_TTL_SECONDS: '3600',
  LOG_LEVEL: 'warn',
  LIVE_MAX_STREAMS_PER_USER: String(perUser),
  ...(benchUrl ? { DATABASE_URL: benchUrl } : { DATABASE_URL: '', DATA_DIR: dataDir ?? '' }),
}));

/** Per stream: the text read so far and who waits for which task id. */
interface Stream {
  user: number;
  waiting: Map<string, () => void>;
  abort: AbortController;
}

try {
  console.log(`Signing up ${userCount} users…`);
  const users = await signUpUsers(project.url, userCount);
  await new Promise((r) => setTimeout(r, 2_000));
  const rssBefore = rssKb(project.child.pid ?? 0);

  console.log(`Opening ${perUser * users.length} streams (${perUser} per user)…`);
  const streams: Stream[] = [];
  const url = `${project.url}/api/trpc/task.changes?input=${encodeURIComponent('{}')}`;
  for (let u = 0; u < users.length; u++) {
    for (let s = 0; s < perUser; s++) {
      const stream: Stream = { user: u, waiting: new Map(), abort: new AbortController() };
      const response = await fetch(url, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${users[u]?.token}` },
        signal: stream.abort.signal,
      });
      if (response.status !== 200 || !response.body) throw new Error(`stream refused: ${response.status}`);
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      void (async () => {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            const text = decoder.decode(value, { stream: true });
            for (const [taskId, resolve] of stream.waiting) {
              if (text.includes(taskId)) {
                stream.waiting.delete(taskId);
                resolve();
              }
            }
          }
        } catch {
          // aborted at the end
        }
      })();
      streams.push(stream);
    }
  }
  await new Promise((r) => setTimeout(r, 3_000));
  const rssAfter = rssKb(project.child.pid ?? 0);

  console.log(`Timing ${eventCount} events…`);
  const latencies: number[] = [];
  for (let i = 0; i < eventCount; i++) {
    const u = i % users.length;
    const mine = streams.filter((s) => s.user === u);
    const title = `live ${i} ${randomBytes(4).toString('hex')}`;
    const started = performance.now();
    // The event carries the task, so its title identifies it before the create answers.
    const arrivals = mine.map(
      (s) =>
        new Promise<number>((resolve) => {
          s.waiting.set(title, () => resolve(performance.now() - started));
        }),
    );
    const response = await fetch(`${project.url}/api/trpc/task.create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${users[u]?.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    });
    if (!response.ok) throw new Error(`create failed: ${response.status}`);
    latencies.push(...(await Promise.all(arrivals)));
  }

  const total = streams.length;
  const per1000 = (kb: number) => (kb / 1024) * (1000 / total);
  console.log('');
  console.log(
    `${new Date().toISOString()} · Node ${process.version} · ${adminUrl ? 'PostgreSQL' : 'PGlite'} · ${users.length} users × ${perUser} streams = ${total} open streams · ${eventCount} events`,
  );
  console.log('');
  console.log('| measure | value |');
  console.log('| --- | --: |');
  console.log(`| delivery p50 (ms) | ${percentile(latencies, 50).toFixed(1)} |`);
  console.log(`| delivery p99 (ms) | ${percentile(latencies, 99).toFixed(1)} |`);
  console.log(`| delivery max (ms) | ${Math.max(...latencies).toFixed(1)} |`);
  console.log(`| server RSS before streams (MB) | ${(rssBefore / 1024).toFixed(1)} |`);
  console.log(`| server RSS with streams (MB) | ${(rssAfter / 1024).toFixed(1)} |`);
  console.log(`| RSS per 1,000 streams (MB) | ${per1000(rssAfter - rssBefore).toFixed(1)} |`);
  for (const s of streams) s.abort.abort();
} finally {
  await project.stop();
  if (admin) {
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
