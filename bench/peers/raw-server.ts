/**
 * The raw baseline: `node:http` + `jose` against a local JWKS + one postgres.js query. The
 * least a JWT-guarded JSON endpoint can cost in Node.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import {
  createTask,
  issuer,
  jwks,
  listTasks,
  port,
  toggleTask,
  unauthorized,
  type PeerResponse,
} from './peer-queries';

const keys = createLocalJWKSet(jwks as unknown as JSONWebKeySet);

async function userOf(req: IncomingMessage): Promise<string | undefined> {
  const header = req.headers.authorization;
  if (!header?.startsWith('Bearer ')) return undefined;
  try {
    const { payload } = await jwtVerify(header.slice(7), keys, {
      algorithms: ['RS256'],
      issuer,
      audience: issuer,
    });
    return payload.sub;
  } catch {
    return undefined;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

async function handle(req: IncomingMessage): Promise<PeerResponse> {
  const path = (req.url ?? '/').split('?', 1)[0];
  if (path === '/healthz') return { status: 200, body: '{"status":"ok"}' };
  const userId = await userOf(req);
  if (!userId) return unauthorized();
  if (path === '/api/trpc/task.list' && req.method === 'GET') return listTasks(userId);
  if (path === '/api/trpc/task.create' && req.method === 'POST')
    return createTask(userId, await readJson(req));
  if (path === '/api/trpc/task.toggle' && req.method === 'POST')
    return toggleTask(userId, await readJson(req));
  return { status: 404, body: '{"message":"Not found"}' };
}

createServer((req, res) => {
  handle(req).then(
    ({ status, body }) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    },
    () => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"message":"Internal server error"}');
    },
  );
}).listen(port, '127.0.0.1');
