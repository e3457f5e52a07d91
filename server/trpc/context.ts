import type { IncomingMessage } from 'node:http';
import { API_KEY_SCOPES } from '../../shared/api-key';
import { parseBearer, type TokenUser, type VerifyToken } from '../auth/verify-jwt';
import type { TaskQueries } from '../db/task-queries';
import type { TaskChangeFeed } from '../live/task-change-feed';
import type { Logger } from '../logger';
import type { Context } from './init';

/** A user as tests give it: without `scopes`, the token is a signed-in person's (every scope). */
type InnerUser = Omit<TokenUser, 'scopes'> & Partial<Pick<TokenUser, 'scopes'>>;

/** The context without HTTP: what tests pass to `createCaller`. */
export function createInnerContext(opts: {
  tasks: TaskQueries;
  user: InnerUser | null;
  changes?: TaskChangeFeed | undefined;
}): Context {
  const { user } = opts;
  return {
    tasks: opts.tasks,
    user: user && { ...user, scopes: user.scopes ?? API_KEY_SCOPES },
    ...(opts.changes ? { changes: opts.changes } : {}),
  };
}

/** Counts raw `Authorization` headers: Node keeps only the first, and two is an attack, not a token. */
function authorizationHeaderCount(req: IncomingMessage): number {
  let count = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]?.toLowerCase() === 'authorization') count++;
  }
  return count;
}

/**
 * Builds the per-request context from the `Authorization: Bearer` header only (cookies and
 * query strings are ignored). Never throws: `protectedProcedure` decides what a missing user means.
 */
export function createContextFactory(deps: {
  tasks: TaskQueries;
  verifyToken: VerifyToken;
  log: Logger;
  requestDeadlineMs?: number;
  changes?: TaskChangeFeed;
}) {
  const build = createRequestContext(deps);
  return async (opts: { req: IncomingMessage }): Promise<Context> => ({
    ...(await build(opts)),
    ...(deps.requestDeadlineMs === undefined ? {} : { deadlineMs: deps.requestDeadlineMs }),
  });
}

function createRequestContext(deps: {
  tasks: TaskQueries;
  verifyToken: VerifyToken;
  log: Logger;
  changes?: TaskChangeFeed;
}) {
  const { changes } = deps;
  return async ({ req }: { req: IncomingMessage }): Promise<Context> => {
    const header = req.headers.authorization;
    if (header === undefined) return createInnerContext({ tasks: deps.tasks, user: null });

    const token = authorizationHeaderCount(req) === 1 ? parseBearer(header) : undefined;
    const result = token ? await deps.verifyToken(token) : ({ ok: false, failure: 'malformed' } as const);
    if (result.ok) return createInnerContext({ tasks: deps.tasks, user: result.user, changes });

    // The cause is for operators; the client only ever hears "Authentication required".
    deps.log.info(
      { event: 'token_rejected', cause: result.failure, requestId: req.headers['x-request-id'] },
      'token rejected',
    );
    return {
      ...createInnerContext({ tasks: deps.tasks, user: null }),
      authUnavailable: result.failure === 'keys-unavailable',
    };
  };
}
