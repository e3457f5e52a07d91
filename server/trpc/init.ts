/**
 * The one place tRPC is built: context type, error shape, and the procedure kinds every
 * router uses (`publicProcedure`, `protectedProcedure`, `readProcedure`, `writeProcedure`).
 */
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';
import type { ApiKeyScope } from '../../shared/api-key';
import type { TokenUser } from '../auth/verify-jwt';
import { DatabaseDeadlineError, isDatabaseUnavailable, isDataException } from '../db/database-error';
import type { TaskQueries } from '../db/task-queries';
import type { TaskChangeFeed } from '../live/task-change-feed';

// ---------------------------------------------------------------------------------------------
// Context
// ---------------------------------------------------------------------------------------------

/** Everything a procedure may touch; built per request by `server/trpc/context.ts`. */
export interface Context {
  user: TokenUser | null;
  /** Set when there is no user because the key source failed: the caller gets 503, not 401. */
  authUnavailable?: boolean;
  tasks: TaskQueries;
  /** A procedure still running after this many ms answers 503 (HTTP requests set it from env). */
  deadlineMs?: number;
  /** Live updates (`task.changes`); absent, the subscription answers SERVICE_UNAVAILABLE. */
  changes?: TaskChangeFeed;
}

// ---------------------------------------------------------------------------------------------
// Initialization
// ---------------------------------------------------------------------------------------------

const t = initTRPC.context<Context>().create({
  sse: {
    // An idle stream still sends a comment-sized `ping` every 10 s, so proxies and load balancers
    // with an idle timeout (often 30-60 s) keep it open; a client that hears nothing for 25 s
    // (a dead connection) reconnects with its last event id.
    ping: { enabled: true, intervalMs: 10_000 },
    client: { reconnectAfterInactivityMs: 25_000 },
  },
  // Never put stack traces in responses, even in development; the server log has them.
  isDev: false,
  errorFormatter({ shape, error }) {
    const issues = error.cause instanceof ZodError ? error.cause : null;
    const zodError = issues ? z.flattenError(issues) : null;
    let message = shape.message;
    // Anything unexpected is masked: no driver message, SQL or path reaches the client.
    if (error.code === 'INTERNAL_SERVER_ERROR') message = 'Internal server error';
    else if (issues) message = issues.issues.map((i) => i.message).join('; ');
    return {
      ...shape,
      message,
      data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, zodError },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

// ---------------------------------------------------------------------------------------------
// Procedures
// ---------------------------------------------------------------------------------------------

/**
 * A value the database refused (SQLSTATE class 22: out of range, malformed) came from the caller,
 * since the server's own values are well formed: BAD_REQUEST, not a 500, and nothing of the
 * database's message (it quotes the value) or of the statement.
 */
const databaseDataExceptions = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR' && isDataException(result.error.cause)) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'A value is malformed or out of range' });
  }
  return result;
});

/**
 * The one place database trouble becomes a clean 503: a procedure that outlives the request
 * deadline, or fails because the database is down, restarting, overloaded or timed out, answers
 * SERVICE_UNAVAILABLE with our own message (the driver's stays in the log, via `cause`).
 */
const databaseAvailability = t.middleware(async ({ ctx, type, next }) => {
  let timer: NodeJS.Timeout | undefined;
  // A subscription is meant to stay open: the deadline would bound only its setup anyway (the
  // resolver returns a generator at once), and streams end on their own terms (task-change-feed.ts).
  const deadline =
    ctx.deadlineMs === undefined || type === 'subscription'
      ? undefined
      : new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new DatabaseDeadlineError('request deadline exceeded')),
            ctx.deadlineMs,
          );
        });
  try {
    const result = await (deadline ? Promise.race([next(), deadline]) : next());
    if (!result.ok && isDatabaseUnavailable(result.error.cause)) throw unavailable(result.error.cause);
    return result;
  } catch (error) {
    if (error instanceof DatabaseDeadlineError) throw unavailable(error);
    throw error;
  } finally {
    clearTimeout(timer);
  }
});

const unavailable = (cause: unknown) =>
  new TRPCError({
    code: 'SERVICE_UNAVAILABLE',
    message: 'The database is unavailable; retry shortly',
    cause,
  });

export const publicProcedure = t.procedure.use(databaseAvailability).use(databaseDataExceptions);

/** Supplies a non-null `ctx.user`, or refuses with one generic message whatever the cause. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) {
    if (ctx.authUnavailable) {
      throw new TRPCError({
        code: 'SERVICE_UNAVAILABLE',
        message: 'Authentication is temporarily unavailable',
      });
    }
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Authentication required' });
  }
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** Refuses a token (an API key's) that lacks `scope`, saying which scope the call needs. */
const requireScope = (scope: ApiKeyScope, message: string) =>
  protectedProcedure.use(({ ctx, next }) => {
    if (!ctx.user.scopes.includes(scope)) throw new TRPCError({ code: 'FORBIDDEN', message });
    return next();
  });

/** Every query: a signed-in person, or an API key with `tasks:read`. */
export const readProcedure = requireScope(
  'tasks:read',
  'This API key cannot read tasks: it lacks the tasks:read scope',
);

/** Every mutation: a signed-in person, or an API key with `tasks:write`. */
export const writeProcedure = requireScope(
  'tasks:write',
  'This API key is read-only: changing tasks needs the tasks:write scope',
).use(async ({ ctx, next }) => {
  const result = await next();
  // Committed (the trigger wrote the outbox rows): wake this user's live streams on every
  // instance (decisions D33). A refused change wrote nothing; waking for it would only cost a read.
  if (result.ok) ctx.changes?.announce(ctx.user.id);
  return result;
});
