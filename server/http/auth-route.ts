import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import { toNodeHandler } from 'better-auth/node';
import { CLIENT_IP_HEADER, type Auth } from '../auth/auth';
import { REQUEST_START_HEADER } from '../auth/equal-time';
import type { Logger } from '../logger';
import { clientAddress } from './client-ip';
import { sendJson } from './send-json';

/** Auth bodies are a name, an email and a password. */
export const AUTH_MAX_BODY_BYTES = 16 * 1024;

/**
 * Better Auth's limiter answers 429 with only `X-Retry-After`; HTTP clients and browsers know the
 * standard `Retry-After`, so copy it just before the head is written. (The per-account throttle
 * sets both itself and logs its own event, so `onLimited` means the per-address limiter.)
 */
function standardRetryAfter(res: ServerResponse, onLimited: (retryAfter: number) => void): void {
  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    const retryAfter = res.getHeader('x-retry-after');
    if (status === 429 && retryAfter !== undefined && !res.hasHeader('retry-after')) {
      res.setHeader('Retry-After', String(retryAfter));
      onLimited(Number(retryAfter));
    }
    return writeHead(status, ...rest);
  }) as ServerResponse['writeHead'];
}

/**
 * A 5xx from Better Auth (a database that went away, a plugin that failed) may carry the
 * driver's message in its body: replace the body with a generic one and log the event, so no
 * driver text, SQL or stack reaches a client whatever the endpoint.
 */
function maskServerErrors(res: ServerResponse, onMasked: (status: number) => void): void {
  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    if (status >= 500 && !res.headersSent) {
      onMasked(status);
      const end = res.end.bind(res) as (body: string) => ServerResponse;
      res.removeHeader('content-length');
      res.removeHeader('content-encoding');
      res.setHeader('Content-Type', 'application/json');
      res.write = (() => true) as ServerResponse['write'];
      res.end = (() => end(SERVER_ERROR_BODY)) as ServerResponse['end'];
    }
    return writeHead(status, ...rest);
  }) as ServerResponse['writeHead'];
}

const SERVER_ERROR_BODY = JSON.stringify({ message: 'Internal server error', code: 'INTERNAL_SERVER_ERROR' });

/**
 * `/api/auth/*`: bounded bodies, then Better Auth, told only what we trust: the client address
 * from the socket (or trusted proxies), and the public URL instead of the request's Host.
 */
export function createAuthRoute(deps: { auth: Auth; baseURL: string; proxies: BlockList; log: Logger }) {
  const { log, proxies } = deps;
  const authHandler = toNodeHandler(deps.auth);
  const publicURL = new URL(deps.baseURL);

  return async function handleAuth(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const length = Number(req.headers['content-length'] ?? 0);
    if (req.headers['transfer-encoding'] && req.headers['content-length'] === undefined) {
      return sendJson(res, 411, { message: 'Content-Length required' });
    }
    if (!Number.isFinite(length) || length > AUTH_MAX_BODY_BYTES) {
      return sendJson(res, 413, { message: 'Request body too large' });
    }
    // Better Auth cannot see the socket; give it the address we trust and nothing else.
    req.headers[CLIENT_IP_HEADER] = clientAddress(req, proxies);
    // When it arrived, by our clock, for the endpoints that answer in equal time (equal-time.ts).
    req.headers[REQUEST_START_HEADER] = String(performance.now());
    // Its node adapter builds the URL it routes on as `${X-Forwarded-Proto}://${Host}` + req.url,
    // so a crafted Host (`…/api/auth/sign-in/email?`) would pick another route than the path we
    // checked. The public URL is configured: state it, and drop what could contradict it.
    req.headers.host = publicURL.host;
    req.headers['x-forwarded-proto'] = publicURL.protocol.slice(0, -1);
    delete req.headers['x-forwarded-host'];
    delete req.headers[':authority'];
    // What both log lines say about the request.
    const about = { path: (req.url ?? '').split('?', 1)[0], requestId: req.headers['x-request-id'] };
    standardRetryAfter(res, (retryAfter) =>
      log.warn({ event: 'rate_limited', ...about, retryAfter }, 'rate limit hit'),
    );
    maskServerErrors(res, (status) =>
      log.error({ event: 'auth_server_error', ...about, status }, 'auth endpoint failed: body replaced'),
    );
    await authHandler(req, res);
  };
}
