/**
 * Endpoints whose answer must not tell whether an email has an account (a reset link, a new
 * verification mail) answer after the same minimum time either way. The answers are already
 * identical; without this, a known email took a few database writes longer (the reset token, the
 * mail quota) than an unknown one, which a stopwatch could tell apart.
 */
import type { BetterAuthPlugin } from 'better-auth';
import { createAuthMiddleware } from 'better-auth/api';

/** Set by the auth route from the server's own clock when the request arrived (any sent value is replaced). */
export const REQUEST_START_HEADER = 'x-taskmanager-request-start';

/** Well above what either path takes, so both answers wait for the floor, not for their work. */
export const EQUAL_TIME_FLOOR_MS = 300;

const EQUAL_TIME_PATHS = new Set(['/request-password-reset', '/send-verification-email']);

export function equalTimePlugin(floorMs = EQUAL_TIME_FLOOR_MS) {
  return {
    id: 'equal-time',
    hooks: {
      after: [
        {
          matcher: (ctx) => ctx.path !== undefined && EQUAL_TIME_PATHS.has(ctx.path),
          handler: createAuthMiddleware(async (ctx) => {
            const started = Number(ctx.headers?.get(REQUEST_START_HEADER));
            const wait = Number.isFinite(started) ? floorMs - (performance.now() - started) : floorMs;
            if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}
