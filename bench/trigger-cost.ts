/**
 * `npx tsx bench/trigger-cost.ts` (DATABASE_URL required): what the live-update trigger on `task`
 * (drizzle/0008_task_events.sql, decisions D33) costs the mutation hot path, measured without
 * HTTP so that only the database differs ("on": the trigger plus the NOTIFY the server sends after
 * each commit; "off": neither): the project's own `task.create` and `task.toggle`
 * statements (task-queries.ts, one pipelined round trip each) at 10 concurrent callers over 20
 * users, rounds alternated with the trigger enabled and disabled on one database, so that a busy
 * shared machine slows both sides alike. Prints the median ops/s of each side and the ratio.
 *
 *   TRIGGER_ROUNDS (4)  TRIGGER_SECONDS (3)
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase } from '../server/db/client';
import { createTaskQueries } from '../server/db/task-queries';
import { createTaskChangeFeed } from '../server/live/task-change-feed';
import { createLogger } from '../server/logger';
import { insertUser } from '../server/test/databases';

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error('DATABASE_URL is required');
const rounds = Number(process.env.TRIGGER_ROUNDS ?? 4);
const seconds = Number(process.env.TRIGGER_SECONDS ?? 3);
const concurrency = 10;

const name = `tasks_bench_trigger_${randomBytes(6).toString('hex')}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database "${name}"`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const database = await openDatabase({ kind: 'postgres', url: url.toString(), poolMax: concurrency });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

try {
  await database.migrate();
  // Experiments: a variant of the trigger function to measure instead (a file of SQL).
  if (process.env.TRIGGER_VARIANT_SQL) {
    const { readFileSync } = await import('node:fs');
    await database.pipeline([{ sql: readFileSync(process.env.TRIGGER_VARIANT_SQL, 'utf8'), params: [] }]);
  }
  const tasks = createTaskQueries(database, { role: database.appRole });
  const users = await Promise.all(Array.from({ length: 20 }, (_, i) => insertUser(database, `u${i}`)));
  const taskIds = await Promise.all(users.map((u) => tasks.create(u.id, 'toggle me', null)));

  // What the write procedures do after a commit (writeProcedure → TaskChangeFeed#announce).
  const feed = createTaskChangeFeed({
    database,
    log: createLogger('silent'),
    maxStreamsPerUser: 1,
    retentionSeconds: 3600,
  });
  const announce = (userId: string) => feed.announce(userId);

  const run = async (operation: 'create' | 'toggle', live: boolean): Promise<number> => {
    let done = 0;
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        for (let i = worker; performance.now() < until; i += concurrency) {
          const u = i % users.length;
          const user = users[u];
          const taskId = taskIds[u];
          if (!user || !taskId) continue;
          if (operation === 'create') await tasks.create(user.id, `bench ${i}`, null);
          else await tasks.toggle(user.id, taskId.id);
          if (live) announce(user.id);
          done++;
        }
      }),
    );
    return done / seconds;
  };

  const results: Record<string, number[]> = {};
  for (const operation of ['create', 'toggle'] as const) {
    for (let r = 0; r < rounds; r++) {
      for (const trigger of r % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
        await database.pipeline([
          {
            sql: `alter table task ${trigger === 'on' ? 'enable' : 'disable'} trigger task_event_emit`,
            params: [],
          },
        ]);
        (results[`${operation} trigger ${trigger}`] ??= []).push(await run(operation, trigger === 'on'));
      }
    }
  }
  console.log(
    `${new Date().toISOString()} · Node ${process.version} · PostgreSQL · c=${concurrency} · ${rounds} rounds × ${seconds} s each side, alternated`,
  );
  console.log('');
  console.log(
    '| operation | without live updates ops/s | with (trigger + announce) ops/s | with ÷ without |',
  );
  console.log('| --- | --: | --: | --: |');
  for (const operation of ['create', 'toggle']) {
    const off = median(results[`${operation} trigger off`] ?? []);
    const on = median(results[`${operation} trigger on`] ?? []);
    console.log(`| ${operation} | ${Math.round(off)} | ${Math.round(on)} | ${(on / off).toFixed(2)}x |`);
  }
} finally {
  await database.close();
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.unsafe(`drop role if exists "${database.appRole}"`).catch(() => {});
  await admin.end();
}
