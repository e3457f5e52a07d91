/**
 * Compile-time proof that the installed SDK carries the API's real types (not `any`): each
 * `@ts-expect-error` below fails the type check if its line stops being an error.
 */
import { createApiClient, type ApiInputs, type ApiKeyScope, type Task } from 'taskmanager/client';

const api = createApiClient({ baseUrl: 'http://localhost:3000', apiKey: 'tm_example' });

export async function checks(): Promise<void> {
  // @ts-expect-error -- `title` is required
  await api.task.create.mutate({ description: 'no title' });
  // @ts-expect-error -- no such procedure
  await api.task.archive.mutate({ id: 'x' });
  // @ts-expect-error -- the status filter is all | active | completed
  await api.task.list.query({ status: 'done' });
  const task: Task = await api.task.get.query({ id: 'x' });
  // @ts-expect-error -- completed is a boolean
  const notAString: string = task.completed;
  const version: number = task.version;
  const input: ApiInputs['task']['update'] = { id: task.id, title: 'renamed', version };
  const scope: ApiKeyScope = 'tasks:read';
  // @ts-expect-error -- not a scope
  const badScope: ApiKeyScope = 'tasks:admin';
  // @ts-expect-error -- an API key or a getToken, not both
  createApiClient({ baseUrl: 'http://x', apiKey: 'tm_x', getToken: () => null });
  void [notAString, input, scope, badScope];
}
