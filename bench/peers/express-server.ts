/**
 * The typical REST peer: Express 5 + `jsonwebtoken` (PEM public keys from the same JWKS) + the
 * same query as the raw baseline.
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import jwt from 'jsonwebtoken';
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

const keysById = new Map<string, KeyObject>(
  jwks.keys.map((jwk) => [String(jwk.kid), createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })]),
);

const app = express();
app.use(express.json());

app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});

app.use('/api/trpc', (req: Request, res: Response, next: NextFunction) => {
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
  const decoded = token ? jwt.decode(token, { complete: true }) : null;
  const key = decoded?.header.kid ? keysById.get(decoded.header.kid) : undefined;
  if (!token || !key) return send(res, unauthorized());
  try {
    const payload = jwt.verify(token, key, { algorithms: ['RS256'], issuer, audience: issuer });
    if (typeof payload === 'string' || !payload.sub) return send(res, unauthorized());
    res.locals.userId = payload.sub;
    next();
  } catch {
    send(res, unauthorized());
  }
});

function send(res: Response, { status, body }: PeerResponse): void {
  res.status(status).type('application/json').send(body);
}

const userId = (res: Response): string => String(res.locals.userId);

app.get('/api/trpc/task.list', async (_req, res) => send(res, await listTasks(userId(res))));
app.post('/api/trpc/task.create', async (req, res) => send(res, await createTask(userId(res), req.body)));
app.post('/api/trpc/task.toggle', async (req, res) => send(res, await toggleTask(userId(res), req.body)));

app.listen(port, '127.0.0.1');
