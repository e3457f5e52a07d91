/**
 * The live-update stream `task.changes` (specs/api.md#live-updates, decisions D33): what one event
 * says. The server builds events with these schemas and the client and SDK infer their types from
 * them (via the router), so neither side restates the shape.
 */
import { z } from 'zod';
import { calendarDate, taskId } from './task';

/** What the outbox records per changed task; `cleared` is several `deleted` of one transaction. */
export const TASK_EVENT_TYPES = ['created', 'updated', 'deleted'] as const;

/** A task as a stream carries it: the same fields (and ISO timestamps) as `task.get` returns. */
export const taskSnapshot = z.object({
  id: taskId,
  userId: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  completed: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  dueOn: calendarDate.nullable(),
  /** Its place in the manual order (D37): smaller is higher; a move is an `updated` with a new one. */
  position: z.string(),
});

export const taskChangeEvent = z.discriminatedUnion('type', [
  /** A new task (or, later, a restored one). */
  z.object({ type: z.literal('created'), task: taskSnapshot }),
  /** The task now reads so; apply it only if `task.version` is newer than what you hold. */
  z.object({ type: z.literal('updated'), task: taskSnapshot }),
  /** Gone; `version` is the last one it had. */
  z.object({ type: z.literal('deleted'), id: taskId, version: z.number().int() }),
  /** Several tasks deleted at once (clear completed). */
  z.object({ type: z.literal('cleared'), ids: z.array(taskId) }),
  /**
   * The stream cannot replay from the id you gave (older than the retention, or unknown): refetch
   * the lists and counts, then carry on from this event's id.
   */
  z.object({ type: z.literal('resync') }),
]);

export type TaskChangeEvent = z.infer<typeof taskChangeEvent>;

/** The last event id the client saw (an SSE id: decimal digits); tRPC's link fills it on reconnect. */
export const taskChangesInput = z
  .strictObject({
    lastEventId: z
      .string()
      .regex(/^\d{1,18}$/, 'lastEventId must be an event id')
      .nullish(),
  })
  .prefault({});
