import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PGlite, types } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { schema, type Schema } from './schema';

/** What both drivers have in common; the rest of the server only sees this. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

/** SQL text with `$n` parameters, as drizzle's `toSQL()` gives it. */
export interface Statement {
  sql: string;
  params: unknown[];
}

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /**
   * Runs `statements` in order in one transaction and returns each one's rows as arrays of
   * column values (timestamps as PostgreSQL's text). On PostgreSQL they go out pipelined on one
   * connection, BEGIN to COMMIT in one round trip, as prepared statements; a failing statement
   * rejects and the transaction rolls back (COMMIT of an aborted transaction is a ROLLBACK).
   */
  pipeline(statements: Statement[]): Promise<unknown[][][]>;
  /** Applies the committed migrations in `drizzle/`; safe to run from several processes at once. */
  migrate(): Promise<void>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /**
   * LISTENs on `channel` (send with `select pg_notify(...)`). `onConnect` runs once listening and
   * again after every reconnection, so a caller can re-read what it may have missed meanwhile.
   * PostgreSQL delivers to every connected process; PGlite only within this process.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onConnect: () => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** An arbitrary constant: the advisory lock that serializes migrations across instances. */
const MIGRATION_LOCK_ID = 727_401;

export type DatabaseOptions =
  | { kind: 'postgres'; url: string; poolMax?: number }
  /** `dataDir` undefined keeps the embedded database in memory (tests). */
  | { kind: 'pglite'; dataDir?: string };

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.kind === 'postgres') {
    const client = postgres(options.url, {
      max: options.poolMax ?? 10,
      idle_timeout: 30,
      connect_timeout: 10,
      onnotice: () => {},
    });
    const db = drizzlePostgres(client, { schema });
    return {
      db,
      kind: 'postgres',
      async pipeline(statements) {
        const connection = await client.reserve();
        try {
          const queries = [
            connection.unsafe('begin'),
            ...statements.map((s) =>
              connection.unsafe(s.sql, s.params as never[], { prepare: true }).values(),
            ),
            connection.unsafe('commit'),
          ];
          // All sent now, in order; none awaited before the next, so COMMIT always follows.
          for (const query of queries) query.execute();
          const settled = await Promise.allSettled(queries);
          const failure = settled.find((r) => r.status === 'rejected');
          if (failure) throw failure.reason;
          return settled
            .slice(1, -1)
            .map((r) => (r.status === 'fulfilled' ? (r.value as unknown as unknown[][]) : []));
        } finally {
          connection.release();
        }
      },
      async migrate() {
        // One connection, so the session-level lock and the migration share it.
        const single = postgres(options.url, { max: 1, onnotice: () => {} });
        try {
          await single`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
          await migratePostgres(drizzlePostgres(single, { schema }), { migrationsFolder });
        } finally {
          await single.end({ timeout: 5 });
        }
      },
      async ping() {
        await db.execute(sql`select 1`);
      },
      async listen(channel, onMessage, onConnect) {
        // postgres-js keeps one dedicated listening connection and re-LISTENs after it reconnects.
        const { unlisten } = await client.listen(channel, onMessage, onConnect);
        return unlisten;
      },
      async close() {
        await client.end({ timeout: 5 });
      },
    };
  }

  // PGlite does not create missing parent folders itself.
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const client = new PGlite(options.dataDir);
  const db = drizzlePglite(client, { schema });
  /** Timestamps as text, as postgres.js gives them under drizzle. */
  const parsers = { [types.TIMESTAMPTZ]: (value: string) => value };
  return {
    db,
    kind: 'pglite',
    pipeline: (statements) =>
      client.transaction(async (tx) => {
        const results: unknown[][][] = [];
        for (const s of statements) {
          results.push((await tx.query<unknown[]>(s.sql, s.params, { rowMode: 'array', parsers })).rows);
        }
        return results;
      }),
    async migrate() {
      await migratePglite(db, { migrationsFolder });
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async listen(channel, onMessage, onConnect) {
      const unlisten = await client.listen(channel, onMessage);
      onConnect();
      return async () => {
        if (!client.closed) await unlisten();
      };
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}
