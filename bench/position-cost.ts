/**
 * `npx tsx bench/position-cost.ts` (DATABASE_URL required): what the manual order (decisions D37)
 * costs `task.create`, measured without HTTP: the project's own create statement (one pipelined
 * round trip) at 10 concurrent callers over 20 users, rounds alternated between the schema before
 * D37 (the created_at index, nothing to compute), D37's (the position index and the key from the
 * insert's time, `task_new_position()`), and the position index with a constant key, on one
 * database, so that a busy shared machine slows every side alike. Also `task.move` ops/s and the EXPLAIN of the list statement over 20,000 tasks.
 *
 *   POSITION_ROUNDS (4)  POSITION_SECONDS (3)
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase } from '../server/db/client';
import { createTaskQueries } from '../server/db/task-queries';
import { insertUser } from '../server/test/databases';

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error('DATABASE_URL is required');
const rounds = Number(process.env.POSITION_ROUNDS ?? 4);
const seconds = Number(process.env.POSITION_SECONDS ?? 3);
const concurrency = 10;

const name = `tasks_bench_position_${randomBytes(6).toString('hex')}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database "${name}"`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const database = await openDatabase({ kind: 'postgres', url: url.toString(), poolMax: concurrency });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const sql = (text: string) => database.pipeline([{ sql: text, params: [] }]);

try {
  await database.migrate();
  const tasks = createTaskQueries(database, { role: database.appRole });
  const users = await Promise.all(Array.from({ length: 20 }, (_, i) => insertUser(database, `u${i}`)));

  const timed = async (op: (i: number) => Promise<unknown>): Promise<number> => {
    let done = 0;
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        for (let i = worker; performance.now() < until; i += concurrency) {
          await op(i);
          done++;
        }
      }),
    );
    return done / seconds;
  };
  const create = (i: number) => tasks.create(users[i % users.length]!.id, `bench ${i}`, null);

  // "before": the schema before D37 (the created_at index, no key to compute); "after": the
  // position index and the key from the insert's time; "constant": the position index with a
  // constant key (the function's own cost is after ÷ constant).
  const variants = {
    before: [
      'drop index if exists task_user_position_idx',
      'create index if not exists task_user_created_idx on task (user_id, created_at, id) where deleted_at is null',
      `alter table task alter column position set default 'a0'`,
    ],
    after: [
      'drop index if exists task_user_created_idx',
      'create index if not exists task_user_position_idx on task (user_id, position, id) where deleted_at is null',
      'alter table task alter column position set default task_new_position()',
    ],
    constant: [
      'drop index if exists task_user_created_idx',
      'create index if not exists task_user_position_idx on task (user_id, position, id) where deleted_at is null',
      `alter table task alter column position set default 'a0'`,
    ],
  } as const;
  const results: Record<string, number[]> = {};
  const names = Object.keys(variants) as (keyof typeof variants)[];
  for (let r = 0; r < rounds; r++) {
    // Each round in another order, so a machine getting busier slows every variant alike.
    for (const variant of r % 2 === 0 ? names : [...names].reverse()) {
      for (const statement of variants[variant]) await sql(statement);
      (results[variant] ??= []).push(await timed(create));
    }
  }
  for (const statement of variants.after) await sql(statement);

  // Moves: each user's top task goes below their second, over and over (one gap, respacing included).
  const moves: number[] = [];
  for (let r = 0; r < rounds; r++) {
    moves.push(
      await timed(async (i) => {
        const user = users[i % users.length]!;
        const [top, second] = await tasks.list(user.id, 'all', 2, null);
        if (top && second) await tasks.move(user.id, { id: top.id, after: second.id, status: 'all' });
      }),
    );
  }

  // The list statement's plan for one user with 1,000 tasks among 20,000 (19 other users).
  const ids = users.map((u) => `'${u.id}'`).join(',');
  await sql(
    `insert into task (user_id, title) select (array[${ids}])[1 + g % 20], 'plan ' || g from generate_series(1, 20000) g`,
  );
  await sql('analyze task');
  const [plan] = await database.pipeline([
    {
      sql: `explain (analyze, costs off, timing off, summary off) select id, title from task
        where user_id = $1 and deleted_at is null and completed = false
        and (position, id) > ('S'::text collate "C", '00000000-0000-0000-0000-000000000000'::uuid)
        order by position, id limit 51`,
      params: [users[0]!.id],
    },
  ]);

  console.log(
    `${new Date().toISOString()} · Node ${process.version} · PostgreSQL · c=${concurrency} · ${rounds} rounds × ${seconds} s each side, alternated`,
  );
  console.log('');
  console.log('| create | ops/s (median) | ÷ before |');
  console.log('| --- | --: | --: |');
  const before = median(results.before ?? []);
  for (const [variant, label] of [
    ['before', 'before D37 (created_at index, no key)'],
    ['after', 'D37 (position index, task_new_position())'],
    ['constant', 'position index, a constant key'],
  ] as const) {
    const ops = median(results[variant] ?? []);
    console.log(`| ${label} | ${Math.round(ops)} | ${(ops / before).toFixed(2)}x |`);
  }
  console.log('');
  console.log(`task.move (list 2 + move, c=${concurrency}): ${Math.round(median(moves))} ops/s`);
  console.log('');
  console.log('```');
  for (const row of plan ?? []) console.log(String(row[0]));
  console.log('```');
} finally {
  await database.close();
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.unsafe(`drop role if exists "${database.appRole}"`).catch(() => {});
  await admin.end();
}
