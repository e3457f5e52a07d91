/**
 * Lets this tab's own changes to a task not count as "changed elsewhere". An edit carries the
 * version the person saw; if a change they made just before (a tick queued offline) has since
 * moved the task on, the server would answer CONFLICT for a task only this person touched.
 */
import type { TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';

/** The steps as plain data, kept with the list on the device (D38) so a reload does not lose them. */
export type OwnVersionSteps = [taskId: string, steps: [from: number, to: number][]][];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Each version step this tab's own changes made, and a link that sends a `task.update` at the end
 * of the chain of those steps from the version the person saw. The server adds exactly 1 per
 * change, atomically, so an answer at version n means our change took the task from n - 1. A step
 * made anywhere else breaks the chain, so a change made elsewhere is still a CONFLICT. Task changes
 * run one at a time (one mutation scope), so a step is recorded before the next change is sent.
 */
export function createOwnVersions() {
  const steps = new Map<string, Map<number, number>>();
  return {
    /** Notes the task a successful `task.update` answered with. */
    record(answer: unknown): void {
      if (!isRecord(answer) || typeof answer.id !== 'string' || typeof answer.version !== 'number') return;
      const own = steps.get(answer.id) ?? new Map<number, number>();
      own.set(answer.version - 1, answer.version);
      steps.set(answer.id, own);
    },
    /** The steps this tab knows, to keep on the device with the changes still to be sent. */
    export(): OwnVersionSteps {
      return [...steps].map(([id, own]) => [id, [...own]]);
    },
    /** Adds steps kept on the device (a reload): a restored edit then continues its own chain. */
    import(kept: OwnVersionSteps): void {
      for (const [id, pairs] of kept) {
        const own = steps.get(id) ?? new Map<number, number>();
        for (const [from, to] of pairs) if (to === from + 1) own.set(from, to);
        steps.set(id, own);
      }
    },
    /** Forgets every step (the person signed out). */
    reset(): void {
      steps.clear();
    },
    /** Placed before the retry link, so a retried update is rebased too. */
    link(): TRPCLink<AnyTRPCRouter> {
      return () =>
        ({ op, next }) => {
          const input = op.input;
          if (op.type !== 'mutation' || op.path !== 'task.update' || !isRecord(input)) return next(op);
          const own = typeof input.id === 'string' ? steps.get(input.id) : undefined;
          let version = input.version;
          while (typeof version === 'number' && own?.has(version)) version = own.get(version);
          return next(version === input.version ? op : { ...op, input: { ...input, version } });
        };
    },
  };
}
