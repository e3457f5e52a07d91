/**
 * The purge job (D34): every instance removes, now and then, the tasks deleted longer ago than
 * the retention window. Runs overlap safely (each batch skips rows another run has locked), so
 * there is no leader to elect; a failed run is logged and the next one tries again.
 */
import type { Logger } from '../logger';
import type { TaskQueries } from './task-queries';

export interface DeletedTaskPurge {
  /** One purge now (also what the timer runs); resolves to how many tasks were removed. */
  runOnce(): Promise<number>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

export function startDeletedTaskPurge(opts: {
  tasks: Pick<TaskQueries, 'purgeDeleted'>;
  log: Logger;
  intervalMs: number;
  /** The first run, after start: soon, but not in the middle of the start-up burst. */
  firstRunMs?: number;
}): DeletedTaskPurge {
  const { tasks, log, intervalMs } = opts;
  let running: Promise<number> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const runOnce = (): Promise<number> => {
    // One run at a time per instance: a slow run is never joined by the next tick's.
    running ??= tasks
      .purgeDeleted()
      .then(
        (purged) => {
          if (purged > 0) log.info({ event: 'deleted_tasks_purged', purged }, 'deleted tasks purged');
          return purged;
        },
        (err: unknown) => {
          log.warn(
            { event: 'deleted_task_purge_failed', err },
            'purging deleted tasks failed; retrying later',
          );
          return 0;
        },
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runOnce().then(() => schedule(intervalMs));
    }, ms);
    // The job never keeps a process alive on its own (tests, scripts, shutdown).
    timer.unref();
  };
  schedule(opts.firstRunMs ?? Math.min(intervalMs, 30_000));

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
