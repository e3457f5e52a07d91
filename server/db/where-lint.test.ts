/**
 * The lint rule that forbids `update`/`delete` without WHERE must hold where task writes happen:
 * through a transaction (`tx`) as well as the database (`db`). Lints snippets with the repo's
 * own ESLint configuration, as if they were server files.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function whereErrors(code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: 'server/db/lint-fixture.ts' });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message).filter((id) => id.startsWith('drizzle/'));
}

const header = `import { eq } from 'drizzle-orm';
import type { Database } from './client';
import { task } from './task-schema';
export async function f(db: Database, id: string) {
`;

describe('drizzle WHERE lint', () => {
  it.each([
    ['a delete through a transaction', `await db.transaction(async (tx) => { await tx.delete(task); });`],
    [
      'an update through a transaction',
      `await db.transaction(async (tx) => { await tx.update(task).set({ title: 'x' }); });`,
    ],
    ['a delete on the database', `await db.delete(task);`],
    ['an update on the database', `await db.update(task).set({ title: 'x' });`],
  ])('refuses %s without WHERE', async (_, statement) => {
    expect(await whereErrors(`${header}${statement}\n}\n`)).toHaveLength(1);
  });

  it('accepts the same statements with a WHERE', async () => {
    const code = `${header}await db.transaction(async (tx) => {
  await tx.delete(task).where(eq(task.id, id));
  await tx.update(task).set({ title: 'x' }).where(eq(task.id, id));
});
await db.delete(task).where(eq(task.id, id));
}
`;
    expect(await whereErrors(code)).toEqual([]);
  });
});
