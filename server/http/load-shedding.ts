import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger';
import { sendJson } from './send-json';

/**
 * Load shedding (decisions D13): the database driver queues without limit when its pool is busy,
 * so past `maxInFlight` requests being handled a newcomer gets a quick 503 + `Retry-After` (in
 * tRPC's error shape) instead of an ever-longer wait.
 */
export function withLoadShedding(
  maxInFlight: number,
  log: Logger,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  /**
   * Requests that are not counted nor shed: long-lived streams (task.changes), which hold no
   * database connection while open and would otherwise use up the budget of short requests.
   * They have their own limit (LIVE_MAX_STREAMS_PER_USER).
   */
  isStream: (req: IncomingMessage) => boolean = () => false,
) {
  let inFlight = 0;
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (isStream(req)) return handler(req, res);
    if (inFlight >= maxInFlight) {
      res.setHeader('Retry-After', '1');
      log.warn({ event: 'load_shed', inFlight }, 'too many requests in flight');
      return sendJson(res, 503, {
        error: {
          message: 'The server is busy; retry shortly',
          code: -32603,
          data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 },
        },
      });
    }
    inFlight++;
    res.once('close', () => inFlight--);
    handler(req, res);
  };
}
