import { createTaskInput } from '../../../../shared/task';

/** Title and description checked by the server's own rules; on failure, the first problem in words. */
export function parseTaskFields(title: string, description: string) {
  const parsed = createTaskInput.safeParse({ title, description });
  return parsed.success
    ? {
        ok: true as const,
        fields: { title: parsed.data.title, description: parsed.data.description ?? null },
      }
    : { ok: false as const, message: parsed.error.issues[0]?.message ?? 'Check the task' };
}
