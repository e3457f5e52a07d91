/**
 * The entry point as a process (`server/index.ts`, what `npm start` runs), on each backend:
 * graceful shutdown under load.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { childDatabase, isListeningLine, spawnServer, type ChildServer } from './test/child-server';
import { testBackends } from './test/databases';
import { startCreateLoad } from './test/load';
import { getToken, signUp } from './test/server';

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
