/**
 * The entry point as a process (`server/index.ts`, what `npm start` runs): graceful shutdown
 * under load on each backend, and waiting for a database that is down at start.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { childDatabase, freePort, isListeningLine, spawnServer, type ChildServer } from './test/child-server';
import { testBackends } from './test/databases';
import { startCreateLoad } from './test/load';
import { getToken, signUp } from './test/server';
import { createTcpProxy, viaProxy } from './test/tcp-proxy';

const CONNECTIONS = 50;

const running = new Set<ChildServer>();
afterEach(() => {
  for (const server of running) server.child.kill('SIGKILL');
  running.clear();
});

describe.each(testBackends)('server process (%s)', (backend) => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s under load: finishes every accepted request, loses no acknowledged create, exits 0',
    async (signal) => {
      const database = await childDatabase(backend);
      try {
        const server = await spawnServer(database.env);
        running.add(server);
        await server.waitForLog(isListeningLine);
        const user = await signUp(server, 'shutdown');
        const token = await getToken(server, user.cookie);

        // Every connection has been accepted and served once: a reset now would be the server's
        // doing, not a connection still queued in the kernel when the listener closed.
        const load = startCreateLoad({ url: server.url, token, connections: CONNECTIONS });
        await load.warm;
        server.child.kill(signal);
        const [outcome, code] = await Promise.all([load.done, server.exited]);
        running.delete(server);

        expect(code).toBe(0);
        expect(outcome.resets).toEqual([]);
        // Every worker ended at a refused connection: the listener closed, nothing was cut.
        expect(outcome.refused).toBe(CONNECTIONS);
        expect(Object.keys(outcome.statuses)).toEqual(['200']);
        // Exactly the acknowledged creates are stored: none lost, none committed unacknowledged.
        const stored = await database.taskIds(user.id);
        expect(new Set(stored)).toEqual(new Set(outcome.acknowledged));
        expect(stored).toHaveLength(outcome.acknowledged.length);
        expect(server.logs.some((l) => l.msg === 'requests drained')).toBe(true);
      } finally {
        await database.close();
      }
    },
    90_000,
  );
});

describe('server process with the database down at start', () => {
  const isWaitLine = (line: Record<string, unknown>) => line.msg === 'database not reachable yet; waiting';

  it('waits with backoff for DATABASE_WAIT_TIMEOUT_MS, then exits 1 naming the variable', async () => {
    const server = await spawnServer({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/tasks`,
      DATABASE_WAIT_TIMEOUT_MS: '1500',
    });
    running.add(server);
    expect(await server.exited).toBe(1);
    expect(server.logs.filter(isWaitLine).length).toBeGreaterThanOrEqual(2);
    expect(server.logs.at(-1)?.msg).toMatch(/did not answer within 1500 ms \(DATABASE_WAIT_TIMEOUT_MS\)/);
  }, 60_000);

  it.runIf(process.env.DATABASE_URL)(
    'serves once the database comes up',
    async () => {
      const database = await childDatabase('postgres');
      const target = new URL(database.env.DATABASE_URL ?? '');
      const proxy = createTcpProxy(await freePort(), {
        host: target.hostname,
        port: Number(target.port || 5432),
      });
      try {
        const server = await spawnServer({ DATABASE_URL: viaProxy(target.toString(), proxy) });
        running.add(server);
        await server.waitForLog(isWaitLine);
        await proxy.start();
        await server.waitForLog(isListeningLine);
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
        server.child.kill('SIGTERM');
        expect(await server.exited).toBe(0);
      } finally {
        await proxy.stop().catch(() => {});
        await database.close();
      }
    },
    60_000,
  );
});
