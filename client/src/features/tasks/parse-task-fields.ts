/**
 * The task schemas (zod, `shared/task.ts`), loaded when this module is first imported but not as
 * part of the first load's JavaScript: zod is a fifth of it, and nothing needs it before the
 * first add or edit (issue 14's 150 KB budget). Loading starts at once, so by the time a person
 * submits it is there; the check then costs a microtask.
 */
const taskSchemas = import('../../../../shared/task');

/**
 * Title, description and due date (a date field's value: '' for none) checked by the server's own
 * rules; on failure, the first problem in words.
 */
export async function parseTaskFields(title: string, description: string, dueOn = '') {
  const { createTaskInput } = await taskSchemas;
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
