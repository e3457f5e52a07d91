import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { freePort } from '../test/child-server';
import { createTcpProxy, viaProxy, type TcpProxy } from '../test/tcp-proxy';
import { openDatabase, type DatabaseHandle } from './client';
import { DatabaseUnreachableError, waitForDatabase } from './wait-for-database';

function capturedLogger() {
  const lines: { msg: string; reason?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as { msg: string });
      done();
    },
  });
  return { log: createLogger('info', sink), lines };
}

const open: DatabaseHandle[] = [];
const proxies: TcpProxy[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
  await Promise.all(proxies.splice(0).map((p) => p.stop().catch(() => {})));
});

describe('waiting for the database at start', () => {
  it('gives up after the configured time with a clear error, having logged each wait', async () => {
    const port = await freePort();
    const database = await openDatabase({
      kind: 'postgres',
      url: `postgres://postgres@127.0.0.1:${port}/none`,
    });
    open.push(database);
    const { log, lines } = capturedLogger();
    const started = performance.now();
    const error = await waitForDatabase(database, { timeoutMs: 1_500, log }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect((error as Error).message).toMatch(
      /did not answer within 1500 ms \(DATABASE_WAIT_TIMEOUT_MS\).*ECONNREFUSED/,
    );
    expect(performance.now() - started).toBeLessThan(5_000);
    const waits = lines.filter((l) => l.msg === 'database not reachable yet; waiting');
    expect(waits.length).toBeGreaterThanOrEqual(2);
    expect(waits[0]?.reason).toBe('ECONNREFUSED');
  });

  it.runIf(process.env.DATABASE_URL)('serves once a database that was down at start comes up', async () => {
    const target = new URL(process.env.DATABASE_URL ?? '');
    const proxy = createTcpProxy(await freePort(), {
      host: target.hostname,
      port: Number(target.port || 5432),
    });
    proxies.push(proxy);
    const database = await openDatabase({ kind: 'postgres', url: viaProxy(target.toString(), proxy) });
    open.push(database);
    const { log, lines } = capturedLogger();
    const waiting = waitForDatabase(database, { timeoutMs: 20_000, log });
    await expect.poll(() => lines.some((l) => l.msg === 'database not reachable yet; waiting')).toBe(true);
    await proxy.start();
    await waiting;
    expect(lines.at(-1)?.msg).toBe('database is reachable');
    await database.ping();
  });
});
