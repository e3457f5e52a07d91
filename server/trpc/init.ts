/**
 * The one place tRPC is built: context type, error shape, and the procedure kinds every
 * router uses (`publicProcedure`, `protectedProcedure`).
 */
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';
import type { TokenUser } from '../auth/verify-jwt';
import { isDataException } from '../db/database-error';
import type { TaskQueries } from '../db/task-queries';

// ---------------------------------------------------------------------------------------------
// Context
// ---------------------------------------------------------------------------------------------

/** Everything a procedure may touch; built per request by `server/trpc/context.ts`. */
export interface Context {
  user: TokenUser | null;
  /** Set when there is no user because the key source failed: the caller gets 503, not 401. */
  authUnavailable?: boolean;
  tasks: TaskQueries;
}

// ---------------------------------------------------------------------------------------------
// Initialization
// ---------------------------------------------------------------------------------------------

const t = initTRPC.context<Context>().create({
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

export const publicProcedure = t.procedure.use(databaseDataExceptions);

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
