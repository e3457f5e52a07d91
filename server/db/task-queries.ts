import { and, count, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { TaskStatus } from '../../shared/task';
import type { Database } from './client';
import { task } from './task-schema';

/** The columns a caller may see, listed on purpose so a future internal column never leaks. */
const taskColumns = {
  id: task.id,
  userId: task.userId,
  title: task.title,
  description: task.description,
  completed: task.completed,
  version: task.version,
  createdAt: task.createdAt,
  updatedAt: task.updatedAt,
};

export interface TaskCursor {
  createdAt: string;
  id: string;
}

/** What `update` may change; everything else (owner, id, version, timestamps) is the server's. */
export type TaskChanges = Partial<Pick<typeof task.$inferInsert, 'title' | 'description' | 'completed'>>;

/** Every change to a task: a new version, so a stale `update` is a CONFLICT, and a new updatedAt. */
const bumpVersion = { version: sql`${task.version} + 1`, updatedAt: sql`now()` };

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

const listConditions = (userId: string, status: TaskStatus, cursor: TaskCursor | null) => {
  const conditions: SQL[] = [eq(task.userId, userId)];
  if (status !== 'all') conditions.push(eq(task.completed, status === 'completed'));
  if (cursor) {
    conditions.push(
      sql`(${task.createdAt}, ${task.id}) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`,
    );
  }
  return and(...conditions);
};

/**
 * Every statement the task procedures run. Each one carries the owner in its WHERE and runs
 * in a transaction as `appRole` (this database's own role, app-role.ts) with `app.user_id` set,
 * so PostgreSQL's row-level security hides other users' rows even from a statement that forgot
 * the filter.
 * Each returns `undefined`/`[]` when the row does not exist *or belongs to someone else*;
 * `findOwner` tells those apart afterwards.
 */
export function createTaskQueries(db: Database, { appRole }: { appRole: string }) {
  /** Runs `fn` as the restricted role, on behalf of `userId`, in one transaction. */
  const asUser = <T>(userId: string, fn: (tx: Transaction) => Promise<T>): Promise<T> =>
    db.transaction(async (tx) => {
      await tx.execute(
        sql`select set_config('role', ${appRole}, true), set_config('app.user_id', ${userId}, true)`,
      );
      return fn(tx);
    });

  /** The one cross-user read: who owns a task (and its version), to tell 403 from 404 from 409. */
  const owner = db
    .select({ userId: task.userId, version: task.version })
    .from(task)
    .where(eq(task.id, sql.placeholder('id')))
    .prepare('task_owner');

  const ownedTask = (userId: string, id: string) => and(eq(task.id, id), eq(task.userId, userId));

  return {
    asUser,

    get: (userId: string, id: string) =>
      asUser(userId, async (tx) => (await tx.select(taskColumns).from(task).where(ownedTask(userId, id)))[0]),

    findOwner: async (id: string) => (await owner.execute({ id }))[0],

    list: (userId: string, status: TaskStatus, limit: number, cursor: TaskCursor | null) =>
      asUser(userId, (tx) =>
        tx
          .select(taskColumns)
          .from(task)
          .where(listConditions(userId, status, cursor))
          .orderBy(desc(task.createdAt), desc(task.id))
          .limit(limit),
      ),

    create: (userId: string, title: string, description: string | null) =>
      asUser(userId, async (tx) => {
        const [row] = await tx.insert(task).values({ userId, title, description }).returning(taskColumns);
        if (!row) throw new Error('insert returned no row');
        return row;
      }),

    /** Applies `changes` if the caller owns the task and, when given, `version` is current. */
    update: (userId: string, id: string, changes: TaskChanges, version: number | undefined) =>
      asUser(userId, async (tx) => {
        const [row] = await tx
          .update(task)
          .set({ ...changes, ...bumpVersion })
          .where(and(ownedTask(userId, id), version === undefined ? undefined : eq(task.version, version)))
          .returning(taskColumns);
        return row;
      }),

    toggle: (userId: string, id: string) =>
      asUser(userId, async (tx) => {
        const [row] = await tx
          .update(task)
          .set({ completed: sql`not ${task.completed}`, ...bumpVersion })
          .where(ownedTask(userId, id))
          .returning(taskColumns);
        return row;
      }),

    /** How many tasks the user has, and how many of them are completed, in one statement. */
    counts: (userId: string) =>
      asUser(userId, async (tx) => {
        const [row] = await tx
          .select({
            all: count(),
            completed: sql<number>`count(*) filter (where ${task.completed})`.mapWith(Number),
          })
          .from(task)
          .where(eq(task.userId, userId));
        return row ?? { all: 0, completed: 0 };
      }),

    /** Deletes every completed task of the user; returns the deleted ids. */
    removeCompleted: (userId: string) =>
      asUser(userId, (tx) =>
        tx
          .delete(task)
          .where(and(eq(task.userId, userId), eq(task.completed, true)))
          .returning({ id: task.id }),
      ),

    remove: (userId: string, id: string) =>
      asUser(userId, async (tx) => {
        const [row] = await tx.delete(task).where(ownedTask(userId, id)).returning({ id: task.id });
        return row;
      }),
  };
}

export type TaskQueries = ReturnType<typeof createTaskQueries>;
export type TaskRecord = NonNullable<Awaited<ReturnType<TaskQueries['get']>>>;
