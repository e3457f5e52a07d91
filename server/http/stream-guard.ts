import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { TaskChangeFeed } from '../live/task-change-feed';
import type { Context } from '../trpc/init';
import { sendJson } from './send-json';

/**
 * Checks a subscription request before tRPC takes it (decisions D33). tRPC answers every
 * subscription with `200 text/event-stream`, even one it refuses (the refusal is an event in the
 * stream), and an EventSource reconnects after such a stream ends: a signed-out client would
 * retry forever and proxies would log success. So the same checks as `readProcedure` plus the
 * per-user limit run here first, with real statuses (401, 403, 429, 503) in tRPC's error shape;
 * an EventSource does not reconnect after a non-200 answer. The context is built again by tRPC;
 * the verifier's cache makes that a map lookup.
 */
export function createStreamGuard(deps: {
  createContext: (opts: { req: IncomingMessage }) => Promise<Context>;
  changes: TaskChangeFeed | undefined;
}) {
  const refuse = (res: ServerResponse, path: string, code: TRPCError['code'], message: string) => {
    const httpStatus = getHTTPStatusCodeFromError({ code } as TRPCError);
    if (code === 'TOO_MANY_REQUESTS' || code === 'SERVICE_UNAVAILABLE') res.setHeader('Retry-After', '5');
    sendJson(res, httpStatus, {
      error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus, path } },
    });
  };

  /** Resolves true when the request may go on to tRPC; otherwise it has been answered. */
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    const ctx = await deps.createContext({ req });
    if (!ctx.user) {
      if (ctx.authUnavailable) {
        refuse(res, path, 'SERVICE_UNAVAILABLE', 'Authentication is temporarily unavailable');
      } else {
        refuse(res, path, 'UNAUTHORIZED', 'Authentication required');
      }
      return false;
    }
    if (!ctx.user.scopes.includes('tasks:read')) {
      refuse(res, path, 'FORBIDDEN', 'This API key cannot read tasks: it lacks the tasks:read scope');
      return false;
    }
    try {
      if (!deps.changes) throw new Error('no feed');
      deps.changes.checkCapacity(ctx.user.id);
    } catch (error) {
      const trpc = error as Partial<TRPCError>;
      if (trpc.code === 'TOO_MANY_REQUESTS') refuse(res, path, trpc.code, trpc.message ?? '');
      else refuse(res, path, 'SERVICE_UNAVAILABLE', 'Live updates are unavailable; retry shortly');
      return false;
    }
    return true;
  };
}
