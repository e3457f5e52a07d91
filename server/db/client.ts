import { join } from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { appRoleFor } from './app-role';
import { ensurePrivateDirectory, restrictTree, restrictUmask } from './private-directory';
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
  /** The role task statements run as, for row-level security: this database's own (app-role.ts). */
  appRole: string;
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

// A path, not `new URL(…, import.meta.url)`: Vite rewrites that pattern as an asset URL when the
// client's component tests (jsdom) import the server to serve the real router.
export const migrationsFolder = join(import.meta.dirname, '..', '..', 'drizzle');

/**
 * Seconds before postgres.js reconnects after a failed connection: doubling from 50 ms, at most 1 s,
 * jittered. The driver's default grows as 3^failures / 100 up to 20 s, and its failure count only
 * resets on success, so after a restart of a few seconds the pool waited up to 20 s more before
 * trying again (decisions D23); reconnecting at most every second costs the database nothing.
 */
const reconnectDelaySeconds = (failures: number): number =>
  Math.min(0.05 * 2 ** failures, 1) * (0.5 + Math.random() / 2);

/** An arbitrary constant: the advisory lock that serializes migrations across instances. */
const MIGRATION_LOCK_ID = 727_401;

export type DatabaseOptions =
  | {
      kind: 'postgres';
      url: string;
      poolMax?: number;
      /** PostgreSQL's `statement_timeout` for every pooled connection (0 = none). */
      statementTimeoutMs?: number;
      /**
       * PostgreSQL itself when `url` is a pooler in transaction mode (PgBouncer): `LISTEN` and
       * migrations need a session of their own, which such a pooler does not keep (decisions D39).
       */
      directUrl?: string;
      /** Named prepared statements (true by default); a transaction-mode pooler before PgBouncer 1.21 needs false. */
      prepare?: boolean;
    }
  /** `dataDir` undefined keeps the embedded database in memory (tests). */
  | { kind: 'pglite'; dataDir?: string };

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.kind === 'postgres') {
    const prepare = options.prepare ?? true;
    const client = postgres(options.url, {
      max: options.poolMax ?? 10,
      idle_timeout: 30,
      connect_timeout: 10,
      onnotice: () => {},
      prepare,
      // A slow or locked statement fails (SQLSTATE 57014, a 503 to the client) instead of holding
      // a pooled connection while requests queue behind it.
      connection: { statement_timeout: options.statementTimeoutMs ?? 0 },
      backoff: reconnectDelaySeconds,
    });
    /**
     * Where LISTEN runs: the pool itself (postgres.js gives it a dedicated connection), or, behind
     * a transaction-mode pooler, one connection straight to PostgreSQL. Through such a pooler the
     * LISTEN stays on a server connection that is then lent to other clients, and every
     * notification reaches whichever client holds it mid-transaction (decisions D39).
     */
    const listener = options.directUrl
      ? postgres(options.directUrl, {
          max: 1,
          connect_timeout: 10,
          onnotice: () => {},
          backoff: reconnectDelaySeconds,
        })
      : client;
    const db = drizzlePostgres(client, { schema });
    // The role name needs the database's own name, asked once it answers: the server may start
    // before its database (server/db/wait-for-database.ts), so opening must not need it yet.
    let appRole: string | undefined;
    const learnName = async () => {
      if (appRole) return;
      const [current] = await client<{ name: string }[]>`select current_database() as name`;
      if (!current) throw new Error('the database did not say its name');
      appRole = appRoleFor(current.name);
    };
    await learnName().catch(() => {});
    return {
      db,
      kind: 'postgres',
      get appRole() {
        if (!appRole) throw new Error('the database has not answered yet: ping() or migrate() it first');
        return appRole;
      },
      async pipeline(statements) {
        const connection = await client.reserve();
        try {
          const queries = [
            connection.unsafe('begin'),
            ...statements.map((s) => connection.unsafe(s.sql, s.params as never[], { prepare }).values()),
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
        // One connection, so the session-level lock and the migration share it: a session, so
        // never through a transaction-mode pooler, which would keep the lock on a pooled connection.
        const single = postgres(options.directUrl ?? options.url, { max: 1, onnotice: () => {} });
        try {
          await single`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
          await migratePostgres(drizzlePostgres(single, { schema }), { migrationsFolder });
        } finally {
          await single.end({ timeout: 5 });
        }
        await learnName();
      },
      async ping() {
        await db.execute(sql`select 1`);
        await learnName();
      },
      async listen(channel, onMessage, onConnect) {
        // postgres-js keeps one dedicated listening connection and re-LISTENs after it reconnects.
        const { unlisten } = await listener.listen(channel, onMessage, onConnect);
        return unlisten;
      },
      async close() {
        await Promise.all([
          client.end({ timeout: 5 }),
          listener === client ? undefined : listener.end({ timeout: 5 }),
        ]);
      },
    };
  }

  if (options.dataDir) {
    // PGlite does not create missing parent folders itself, and writes its files 0666.
    await ensurePrivateDirectory(options.dataDir);
    restrictUmask();
  }
  const client = new PGlite(options.dataDir);
  if (options.dataDir) {
    await client.waitReady;
    await restrictTree(options.dataDir);
  }
  const db = drizzlePglite(client, { schema });
  const {
    rows: [current],
  } = await client.query<{ name: string }>('select current_database() as name');
  if (!current) throw new Error('the database did not say its name');
  /** Timestamps as text, as postgres.js gives them under drizzle. */
  const parsers = { [types.TIMESTAMPTZ]: (value: string) => value };
  return {
    db,
    kind: 'pglite',
    appRole: appRoleFor(current.name),
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
