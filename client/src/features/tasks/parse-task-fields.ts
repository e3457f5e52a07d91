import { createTaskInput } from '../../../../shared/task';

/**
 * Title, description and due date (a date field's value: '' for none) checked by the server's own
 * rules; on failure, the first problem in words.
 */
export function parseTaskFields(title: string, description: string, dueOn = '') {
  const parsed = createTaskInput.safeParse({ title, description, dueOn: dueOn || null });
  return parsed.success
    ? {
        ok: true as const,
        fields: {
          title: parsed.data.title,
          description: parsed.data.description ?? null,
          dueOn: parsed.data.dueOn ?? null,
        },
      }
    : { ok: false as const, message: parsed.error.issues[0]?.message ?? 'Check the task' };
}
