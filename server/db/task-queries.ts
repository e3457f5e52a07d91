import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
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

const p = sql.placeholder;
/** Ownership is part of every statement, never a check made after a fetch. */
const ownedTask = and(eq(task.id, p('id')), eq(task.userId, p('userId')));

export interface TaskCursor {
  createdAt: string;
  id: string;
}

export interface TaskChanges {
  title?: string | undefined;
  description?: string | null | undefined;
  completed?: boolean | undefined;
}

/**
 * Every statement the task procedures run, prepared once per database (building a drizzle
 * query on each call is ~1.75x slower). Each returns `undefined`/`[]` when the row does not
 * exist *or belongs to someone else*; `findOwner` tells those apart afterwards.
 */
export function createTaskQueries(db: Database) {
  const get = db.select(taskColumns).from(task).where(ownedTask).prepare('task_get');

  const owner = db
    .select({ userId: task.userId, version: task.version })
    .from(task)
    .where(eq(task.id, p('id')))
    .prepare('task_owner');

  const insert = db
    .insert(task)
    .values({ userId: p('userId'), title: p('title'), description: p('description') })
    .returning(taskColumns)
    .prepare('task_insert');

  const toggle = db
    .update(task)
    .set({ completed: sql`not ${task.completed}`, version: sql`${task.version} + 1`, updatedAt: sql`now()` })
    .where(ownedTask)
    .returning(taskColumns)
    .prepare('task_toggle');

  const remove = db.delete(task).where(ownedTask).returning({ id: task.id }).prepare('task_delete');

  const listStatement = (status: TaskStatus, afterCursor: boolean) => {
    const conditions: SQL[] = [eq(task.userId, p('userId'))];
    if (status !== 'all') conditions.push(eq(task.completed, status === 'completed'));
    if (afterCursor) {
      conditions.push(
        sql`(${task.createdAt}, ${task.id}) < (${p('cursorCreatedAt')}::timestamptz, ${p('cursorId')}::uuid)`,
      );
    }
    return db
      .select(taskColumns)
      .from(task)
      .where(and(...conditions))
      .orderBy(desc(task.createdAt), desc(task.id))
      .limit(p('limit'))
      .prepare(`task_list_${status}_${afterCursor ? 'after' : 'first'}`);
  };
  const list = {
    all: { first: listStatement('all', false), after: listStatement('all', true) },
    active: { first: listStatement('active', false), after: listStatement('active', true) },
    completed: { first: listStatement('completed', false), after: listStatement('completed', true) },
  } satisfies Record<TaskStatus, unknown>;

  return {
    get: async (userId: string, id: string) => (await get.execute({ id, userId }))[0],

    findOwner: async (id: string) => (await owner.execute({ id }))[0],

    list: (userId: string, status: TaskStatus, limit: number, cursor: TaskCursor | null) =>
      cursor
        ? list[status].after.execute({
            userId,
            limit,
            cursorCreatedAt: cursor.createdAt,
            cursorId: cursor.id,
          })
        : list[status].first.execute({ userId, limit }),

    create: async (userId: string, title: string, description: string | null) => {
      const [row] = await insert.execute({ userId, title, description });
      if (!row) throw new Error('insert returned no row');
      return row;
    },

    /** Applies `changes` if the caller owns the task and, when given, `version` is current. */
    update: async (userId: string, id: string, changes: TaskChanges, version: number | undefined) => {
      const [row] = await db
        .update(task)
        .set({ ...changes, version: sql`${task.version} + 1`, updatedAt: sql`now()` })
        .where(
          and(
            eq(task.id, id),
            eq(task.userId, userId),
            version === undefined ? undefined : eq(task.version, version),
          ),
        )
        .returning(taskColumns);
      return row;
    },

    toggle: async (userId: string, id: string) => (await toggle.execute({ id, userId }))[0],

    remove: async (userId: string, id: string) => (await remove.execute({ id, userId }))[0],
  };
}

export type TaskQueries = ReturnType<typeof createTaskQueries>;
export type TaskRecord = Awaited<ReturnType<TaskQueries['get']>> & {};
