import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { createTestDatabase, insertUser, testBackends } from '../test/databases';
import type { DatabaseHandle } from './client';
import { startDeletedTaskPurge } from './purge-deleted-tasks';
import { createTaskQueries } from './task-queries';
import { task } from './task-schema';

function capturingLog() {
  const lines: Record<string, unknown>[] = [];
  const sink = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  return { log: createLogger('info', sink), lines };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the purge job', () => {
  it('runs after its first delay, then every interval, one run at a time; a failure is logged and retried', async () => {
    const { log, lines } = capturingLog();
    let calls = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const tasks = {
      async purgeDeleted() {
        calls++;
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await sleep(5);
        concurrent--;
        if (calls === 2) throw new Error('database unavailable');
        return 3;
      },
    };
    const job = startDeletedTaskPurge({ tasks, log, intervalMs: 20, firstRunMs: 10 });
    expect(calls).toBe(0);
    await Promise.all([job.runOnce(), job.runOnce()]);
    expect(calls).toBe(1);
    await sleep(150);
    await job.stop();
    const stoppedAt = calls;
    expect(stoppedAt).toBeGreaterThanOrEqual(3);
    expect(maxConcurrent).toBe(1);
    expect(lines.filter((l) => l['event'] === 'deleted_task_purge_failed')).toHaveLength(1);
    expect(lines.some((l) => l['event'] === 'deleted_tasks_purged' && l['purged'] === 3)).toBe(true);
    await sleep(60);
    expect(calls).toBe(stoppedAt);
  });

  describe.each(testBackends)('on %s', (backend) => {
    let database: DatabaseHandle;
    beforeAll(async () => {
      database = await createTestDatabase(backend);
    });
    afterAll(async () => {
      await database?.close();
    });

    it('removes the tasks deleted before the retention window from the real database', async () => {
      const tasks = createTaskQueries(database, { role: database.appRole, retentionDays: 7 });
      const ann = await insertUser(database, 'ann');
      const old = await tasks.create(ann.id, 'old', null);
      const recent = await tasks.create(ann.id, 'recent', null);
      await tasks.remove(ann.id, old.id);
      await tasks.remove(ann.id, recent.id);
      await database.db
        .update(task)
        .set({ deletedAt: sql`now() - interval '8 days'` })
        .where(eq(task.id, old.id));
      const { log } = capturingLog();
      const job = startDeletedTaskPurge({ tasks, log, intervalMs: 60_000, firstRunMs: 0 });
      await sleep(50);
      await job.stop();
      const left = await database.db.select({ id: task.id }).from(task).where(eq(task.userId, ann.id));
      expect(left.map((r) => r.id)).toEqual([recent.id]);
    });
  });
});
