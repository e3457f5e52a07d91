/**
 * How procedure failures from the database reach the caller: a value the database refuses is the
 * caller's fault (BAD_REQUEST, without the database's message), anything else stays a masked 500.
 */
import { TRPCError } from '@trpc/server';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTaskQueries } from '../db/task-queries';
import { createTestDatabase, testBackends, type TestDatabase } from '../test/databases';
import { createInnerContext } from './context';
import { createCallerFactory, publicProcedure, router } from './init';

async function failure(call: Promise<unknown>): Promise<TRPCError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe.each(testBackends)('database errors in procedures on %s', (backend) => {
  let database: TestDatabase;
  const probe = router({
    /** Hands a caller's value to PostgreSQL as a timestamp, as a forged cursor used to. */
    asTimestamp: publicProcedure
      .input(z.string())
      .query(async ({ input }) => database.db.execute(sql`select ${input}::timestamptz as at`)),
    asUuid: publicProcedure
      .input(z.string())
      .query(async ({ input }) => database.db.execute(sql`select ${input}::uuid as id`)),
    brokenStatement: publicProcedure.query(async () => database.db.execute(sql`select * from no_such_table`)),
  });
  const caller = () =>
    createCallerFactory(probe)(
      createInnerContext({
        tasks: createTaskQueries(database, { role: database.appRole }),
        user: null,
      }),
    );

  beforeAll(async () => {
    database = await createTestDatabase(backend);
  });
  afterAll(async () => {
    await database?.close();
  });

  it.each([
    ['a timestamp in the year 0000', 'asTimestamp', '0000-01-01T00:00:00Z'],
    ['a malformed uuid', 'asUuid', 'not-a-uuid-4711'],
  ] as const)(
    'answers %s the database refuses with BAD_REQUEST and none of its message',
    async (_, path, value) => {
      const error = await failure(caller()[path](value));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).not.toContain(value);
      expect(error.message).not.toMatch(/select|timestamptz|::|syntax|field value|"/i);
      expect(error.cause).toBeUndefined();
    },
  );

  it('keeps any other database failure an INTERNAL_SERVER_ERROR', async () => {
    expect((await failure(caller().brokenStatement())).code).toBe('INTERNAL_SERVER_ERROR');
  });
});
