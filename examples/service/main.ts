/**
 * A service in another repository, calling the task API with an API key through the installed
 * SDK (`taskmanager/client`): lists the active tasks, then adds one.
 *
 *   TASKS_URL=http://localhost:3000 TASKS_API_KEY=tm_… npx tsx examples/service/main.ts "Title"
 */
import { ApiKeyExchangeError, createApiClient, type Task } from 'taskmanager/client';

const baseUrl = process.env.TASKS_URL ?? 'http://localhost:3000';
const apiKey = process.env.TASKS_API_KEY;
if (!apiKey) {
  console.error('Set TASKS_API_KEY to a key from the API keys page (with tasks:read and tasks:write).');
  process.exit(2);
}

const api = createApiClient({ baseUrl, apiKey });

try {
  const { items } = await api.task.list.query({ status: 'active' });
  console.log(`Active tasks (${items.length}):`);
  for (const task of items) console.log(`- ${task.title}`);

  const created: Task = await api.task.create.mutate({
    title: process.argv[2] ?? `Added by the example service at ${new Date().toISOString()}`,
  });
  console.log(`Created: ${created.title} (${created.id})`);
} catch (error) {
  // Never print the key: the error says what went wrong without it.
  const cause = error instanceof Error ? error.cause : undefined;
  console.error(
    cause instanceof ApiKeyExchangeError ? `The API key was refused: ${cause.message}` : String(error),
  );
  process.exit(1);
}
