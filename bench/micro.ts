/**
 * `npm run bench`: request-path costs, on PGlite and (when DATABASE_URL is set) PostgreSQL.
 * Prints a table; speed goals live here, never in timed tests.
 *
 *  - verify: one JWT verification against in-memory keys, fresh and for a token seen before
 *  - get (RLS tx): task.get through createCaller: transaction + role switch + indexed query
 *  - get (bare prepared): the same row by a prepared statement without the RLS transaction,
 *    to show what defense in depth costs
 *  - HTTP list: task.list over HTTP with a real JWT, sequential requests (latency)
 */
import { eq, and, sql } from 'drizzle-orm';
import { JWT_ALGORITHM } from '../server/auth/auth';
import { createCachedKeySet, createJwtVerifier } from '../server/auth/verify-jwt';
import { task } from '../server/db/task-schema';
import { createInnerContext } from '../server/trpc/context';
import { createCallerFactory } from '../server/trpc/init';
import { appRouter } from '../server/trpc/router';
import { insertUser, testBackends } from '../server/test/databases';
import { getToken, signUp, startTestServer } from '../server/test/server';

const createCaller = createCallerFactory(appRouter);

async function measure(label: string, iterations: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(200, iterations / 10); i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    label,
    iterations,
    meanUs: Math.round(mean * 1000),
    p50Us: Math.round(at(0.5) * 1000),
    p99Us: Math.round(at(0.99) * 1000),
  };
}

const rows: Awaited<ReturnType<typeof measure>>[] = [];

for (const backend of testBackends) {
  const server = await startTestServer(backend);
  try {
    const serverUser = await insertUser(server.database, 'bench');
    const serverCaller = createCaller(createInnerContext({ tasks: server.app.tasks, user: serverUser }));
    for (let i = 0; i < 200; i++) await serverCaller.task.create({ title: `task ${i}` });
    const one = (await serverCaller.task.list({ limit: 1 })).items[0];
    if (!one) throw new Error('no task');

    const bare = server.database.db
      .select()
      .from(task)
      .where(and(eq(task.id, sql.placeholder('id')), eq(task.userId, sql.placeholder('userId'))))
      .prepare('bench_bare');
    rows.push(
      await measure(`${backend}: get (bare prepared)`, 3000, () =>
        bare.execute({ id: one.id, userId: serverUser.id }),
      ),
    );
    rows.push(
      await measure(`${backend}: get (RLS tx, createCaller)`, 3000, () =>
        serverCaller.task.get({ id: one.id }),
      ),
    );
    rows.push(await measure(`${backend}: list 50 (createCaller)`, 1000, () => serverCaller.task.list()));

    const account = await signUp(server, 'bench-http');
    const token = await getToken(server, account.cookie);
    // Fresh: the full RS256 + claims check, cache off. Seen before: the same token again (D25).
    const fresh = createJwtVerifier({
      keys: createCachedKeySet(async () => server.app.auth.api.getJwks()),
      issuer: server.baseURL,
      audience: server.baseURL,
      algorithm: JWT_ALGORITHM,
      maxTokenAgeSeconds: 900,
      isRevoked: server.app.revocations.isRevoked,
      cacheSize: 0,
    });
    rows.push(await measure(`${backend}: verify JWT (fresh)`, 3000, () => fresh(token)));
    rows.push(
      await measure(`${backend}: verify JWT (seen before)`, 3000, () => server.app.verifyToken(token)),
    );
    const accountCaller = createApiUrl(server.url, token);
    await fetch(accountCaller.create, {
      method: 'POST',
      headers: accountCaller.headers,
      body: '{"title":"x"}',
    });
    rows.push(
      await measure(`${backend}: HTTP task.list (1 task)`, 2000, async () => {
        const response = await fetch(accountCaller.list, { headers: accountCaller.headers });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        await response.arrayBuffer();
      }),
    );
  } finally {
    await server.stop();
  }
}

function createApiUrl(base: string, token: string) {
  return {
    list: `${base}/api/trpc/task.list`,
    create: `${base}/api/trpc/task.create`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  };
}

console.table(rows);
