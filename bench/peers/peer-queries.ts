/**
 * What both baseline servers do per request, written the way a careful hand-written server
 * would: one tagged postgres.js query (prepared by the driver), the owner in every WHERE, the
 * same 403/404 distinction and the same tRPC response envelope as the project, so the bytes
 * and the work compare. Not used by the product.
 */
import postgres from 'postgres';

export const sql = postgres(process.env.DATABASE_URL ?? '', { max: Number(process.env.POOL_MAX ?? 10) });

export interface PeerResponse {
  status: number;
  body: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ok = (data: unknown): PeerResponse => ({ status: 200, body: JSON.stringify({ result: { data } }) });
const fail = (status: number, code: string, message: string): PeerResponse => ({
  status,
  body: JSON.stringify({ error: { message, code: -32600, data: { code, httpStatus: status } } }),
});

export async function listTasks(userId: string): Promise<PeerResponse> {
  const rows = await sql`
    select id, user_id as "userId", title, description, completed, version,
           created_at as "createdAt", updated_at as "updatedAt", position
    from task where user_id = ${userId} and deleted_at is null
    order by position, id limit 51`;
  const items = rows.slice(0, 50);
  const last = items.at(-1);
  const nextCursor =
    rows.length > 50 && last
      ? Buffer.from(JSON.stringify([last.position, last.id])).toString('base64url')
      : null;
  return ok({ items, nextCursor });
}

export async function createTask(userId: string, input: unknown): Promise<PeerResponse> {
  const title = typeof input === 'object' && input && 'title' in input ? input.title : undefined;
  if (typeof title !== 'string' || title.trim().length < 1 || title.length > 500) {
    return fail(400, 'BAD_REQUEST', 'Title is required');
  }
  const [row] = await sql`
    insert into task (user_id, title) values (${userId}, ${title.trim()})
    returning id, user_id as "userId", title, description, completed, version,
              created_at as "createdAt", updated_at as "updatedAt"`;
  return ok(row);
}

export async function toggleTask(userId: string, input: unknown): Promise<PeerResponse> {
  const id = typeof input === 'object' && input && 'id' in input ? input.id : undefined;
  if (typeof id !== 'string' || !UUID.test(id)) return fail(400, 'BAD_REQUEST', 'Task id must be a UUID');
  const [row] = await sql`
    update task set completed = not completed, version = version + 1, updated_at = now()
    where id = ${id} and user_id = ${userId} and deleted_at is null
    returning id, user_id as "userId", title, description, completed, version,
              created_at as "createdAt", updated_at as "updatedAt"`;
  if (row) return ok(row);
  const [owner] = await sql`select user_id from task where id = ${id}`;
  return owner
    ? fail(403, 'FORBIDDEN', 'This task belongs to another user')
    : fail(404, 'NOT_FOUND', 'Task not found');
}

export const unauthorized = (): PeerResponse => fail(401, 'UNAUTHORIZED', 'Authentication required');

/** The settings both peers verify tokens against: the project's issuer and its published JWKS. */
export const issuer = process.env.ISSUER ?? '';
export const jwks = JSON.parse(process.env.JWKS ?? '{"keys":[]}') as { keys: Record<string, unknown>[] };
export const port = Number(process.env.PORT ?? 0);
