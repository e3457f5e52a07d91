/**
 * Bench data through the project's own front door: accounts signed up with Better Auth and
 * RS256 tokens from `/api/auth/token` (each account from its own forwarded address, as real
 * users would be, so the production rate limits apply as they do in production), tasks by SQL
 * on PostgreSQL (fast) or by `task.create` on PGlite (the database lives in the server process).
 */
import type { Sql } from 'postgres';

export interface BenchUser {
  id: string;
  token: string;
  /** One of the user's own tasks, for `task.toggle`. */
  taskId: string;
}

const sessionCookie = (response: Response): string =>
  response.headers
    .getSetCookie()
    .map((c) => c.split(';', 1)[0])
    .join('; ');

async function signUpOne(
  baseURL: string,
  index: number,
  runId: string,
): Promise<{ id: string; token: string }> {
  const address = `10.77.${Math.floor(index / 250)}.${(index % 250) + 1}`;
  const headers = { 'content-type': 'application/json', origin: baseURL, 'x-forwarded-for': address };
  const signUp = await fetch(`${baseURL}/api/auth/sign-up/email`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      name: `Bench ${index}`,
      email: `bench-${runId}-${index}@example.com`,
      password: 'correct horse battery staple',
    }),
  });
  if (!signUp.ok) throw new Error(`sign-up failed: ${signUp.status} ${await signUp.text()}`);
  const { user } = (await signUp.json()) as { user: { id: string } };
  const token = await fetch(`${baseURL}/api/auth/token`, {
    headers: { cookie: sessionCookie(signUp), origin: baseURL, 'x-forwarded-for': address },
  });
  if (!token.ok) throw new Error(`token failed: ${token.status}`);
  return { id: user.id, token: ((await token.json()) as { token: string }).token };
}

/**
 * Signs up `count` accounts, two at a time (scrypt is the cost; the machine has two cores); with a
 * `deadline` (epoch ms), starts no new pair after it, so fewer accounts may come back.
 */
export async function signUpUsers(
  baseURL: string,
  count: number,
  deadline = Infinity,
): Promise<{ id: string; token: string }[]> {
  const runId = Date.now().toString(36);
  const users: { id: string; token: string }[] = [];
  for (let i = 0; i < count && Date.now() < deadline; i += 2) {
    const batch = [i, i + 1].filter((n) => n < count);
    users.push(...(await Promise.all(batch.map((n) => signUpOne(baseURL, n, runId)))));
  }
  return users;
}

/** `perUser` tasks for every bench user, one second apart, newest last. */
export async function seedTasksSql(sql: Sql, userIds: string[], perUser: number): Promise<void> {
  await sql`
    insert into task (user_id, title, created_at, updated_at)
    select u, 'task ' || g, now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval
    from unnest(string_to_array(${userIds.join(',')}, ',')) as u, generate_series(1, ${perUser}) as g`;
  await sql`analyze task`;
}

export async function seedTasksApi(
  baseURL: string,
  users: { token: string }[],
  perUser: number,
): Promise<void> {
  for (const user of users) {
    for (let i = 0; i < perUser; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, perUser - i) }, async (_, k) => {
          const response = await fetch(`${baseURL}/api/trpc/task.create`, {
            method: 'POST',
            headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ title: `task ${i + k + 1}` }),
          });
          if (!response.ok) throw new Error(`task.create failed: ${response.status}`);
          await response.arrayBuffer();
        }),
      );
    }
  }
}

/** The newest task of each user, read through the API. */
export async function firstTaskIds(
  baseURL: string,
  users: { id: string; token: string }[],
): Promise<BenchUser[]> {
  return Promise.all(
    users.map(async (user) => {
      const response = await fetch(
        `${baseURL}/api/trpc/task.list?input=${encodeURIComponent('{"limit":1}')}`,
        {
          headers: { authorization: `Bearer ${user.token}` },
        },
      );
      const body = (await response.json()) as { result: { data: { items: { id: string }[] } } };
      const taskId = body.result.data.items[0]?.id;
      if (!taskId) throw new Error('a bench user has no task');
      return { ...user, taskId };
    }),
  );
}
