/**
 * `BENCH_GROWTH=1`: one user's `task.list` latency as the table grows to 100k, 1M and 10M rows
 * (other users' rows, seeded with generate_series), as a ratio to the 100k figure. PostgreSQL only.
 */
import type { Sql } from 'postgres';
import { runLoad } from './load';
import type { BenchUser } from './seed';

/** Override for a quick check, e.g. BENCH_GROWTH_SIZES=20000,50000. */
const SIZES = (process.env.BENCH_GROWTH_SIZES ?? '100000,1000000,10000000').split(',').map(Number);
const FILLER_USERS = 1000;
const CHUNK = 500_000;

/** p50 and p99 of `count` sequential requests, in ms, measured here (finer than autocannon's ms). */
async function sequentialLatency(
  url: string,
  token: string,
  count: number,
): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await fetch(`${url}/api/trpc/task.list`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await response.arrayBuffer();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.floor(q * (samples.length - 1))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

export async function runGrowth(opts: { sql: Sql; url: string; pid: number; user: BenchUser | undefined }) {
  const { sql, user } = opts;
  if (!user) throw new Error('no bench user');
  await sql`
    insert into "user" (id, name, email, email_verified, created_at, updated_at)
    select 'filler-' || g, 'Filler', 'filler-' || g || '@example.com', false, now(), now()
    from generate_series(0, ${FILLER_USERS - 1}::int) as g`;
  const lines = [
    '',
    `| rows in task | sequential p50 ms | p99 ms | c=10 req/s | c=10 p50 ms | p50 vs ${(SIZES[0] ?? 0).toLocaleString('en-US')} |`,
    '| --: | --: | --: | --: | --: | --: |',
  ];
  let base: number | undefined;
  for (const size of SIZES) {
    const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from task`;
    for (let have = n; have < size; have += CHUNK) {
      const add = Math.min(CHUNK, size - have);
      await sql`
        insert into task (user_id, title, created_at, updated_at)
        select 'filler-' || (g % ${FILLER_USERS}::int), 'filler task', now() - (g || ' ms')::interval, now()
        from generate_series(${have}::int, ${have + add - 1}::int) as g`;
    }
    await sql`vacuum analyze task`;
    await sequentialLatency(opts.url, user.token, 300); // warm-up
    const { p50, p99 } = await sequentialLatency(opts.url, user.token, 2000);
    const load = await runLoad({
      url: opts.url,
      pid: opts.pid,
      operation: 'list',
      users: [user],
      connections: 10,
      seconds: 5,
    });
    base ??= p50;
    lines.push(
      `| ${size.toLocaleString('en-US')} | ${p50.toFixed(2)} | ${p99.toFixed(2)} | ${Math.round(load.rps)} | ${load.p50} | ${(p50 / base).toFixed(2)}x |`,
    );
    console.log(`  growth: ${lines.at(-1) ?? ''}`);
  }
  console.log(lines.join('\n'));
}
