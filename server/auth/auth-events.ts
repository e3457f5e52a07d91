/**
 * The structured auth event log: one pino line per sign-up, sign-in success or failure (here), rate
 * limit hit (server/http/app.ts), throttled account (sign-in-throttle.ts), rejected token
 * (trpc/context.ts) and forbidden access (app.ts). Every line has `event` and `requestId`, and
 * `userId` when known. Emails appear only as the throttle's HMAC (`account`), never in clear;
 * tokens, passwords and cookies are never passed to the logger.
 */
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { z } from 'zod';
import type { Logger } from '../logger';

export type AuthEvent =
  | 'sign_up'
  | 'sign_up_failed'
  | 'sign_in'
  | 'sign_in_failed'
  | 'sign_in_throttled'
  | 'rate_limited'
  | 'token_rejected'
  | 'forbidden';

const PATHS = { '/sign-up/email': 'sign_up', '/sign-in/email': 'sign_in' } as const;
type WatchedPath = keyof typeof PATHS;
const isWatched = (path: string | undefined): path is WatchedPath => path !== undefined && path in PATHS;

const emailBody = z.object({ email: z.string().max(254) });

/** Logs the outcome of sign-up and sign-in; `accountKey` maps an email to its non-reversible key. */
export function authEventsPlugin(deps: { log: Logger; accountKey: (email: string) => string }) {
  const { log } = deps;
  return {
    id: 'auth-events',
    hooks: {
      after: [
        {
          matcher: (ctx) => isWatched(ctx.path),
          handler: createAuthMiddleware(async (ctx) => {
            if (!isWatched(ctx.path)) return;
            const event = PATHS[ctx.path];
            const requestId = ctx.headers?.get('x-request-id') ?? undefined;
            const body = emailBody.safeParse(ctx.body);
            const account = body.success ? deps.accountKey(body.data.email) : undefined;
            const returned: unknown = ctx.context.returned;
            if (returned instanceof APIError) {
              log.info(
                {
                  event: `${event}_failed` satisfies AuthEvent,
                  status: returned.statusCode,
                  // Better Auth's error code (e.g. INVALID_EMAIL_OR_PASSWORD), never its free text.
                  code: typeof returned.body?.code === 'string' ? returned.body.code : undefined,
                  account,
                  requestId,
                },
                `${event.replace('_', '-')} failed`,
              );
              return;
            }
            const userId = ctx.context.newSession?.user.id;
            log.info(
              { event: event satisfies AuthEvent, userId, account, requestId },
              event.replace('_', '-'),
            );
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}

/** Anything shaped like a JWT, an email address, or a long token-like run (session tokens, hashes). */
const PERSONAL =
  /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*|[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+|[A-Za-z0-9_-]{24,}(?:\.[A-Za-z0-9_-]{8,}){0,2}/g;

/** Better Auth's message as we log it: emails and tokens masked, and no novel. */
export const scrubMessage = (message: string): string =>
  message.replace(PERSONAL, '[redacted]').slice(0, 300);

/**
 * Better Auth's own log lines, routed into pino: the message only, scrubbed (it can name the email,
 * e.g. "Sign-up attempt for existing email: …"), never its extra arguments (they can hold request
 * data). Level 'info' on purpose: at 'warn'/'error'/'debug' Better Auth also
 * prints every API error to the console with its default logger, bypassing this one.
 */
export function betterAuthLogger(log: Logger) {
  return {
    level: 'info' as const,
    log: (level: 'debug' | 'info' | 'success' | 'warn' | 'error', message: string) => {
      const method = level === 'warn' || level === 'error' ? level : 'debug';
      log[method]({ source: 'better-auth' }, scrubMessage(String(message)));
    },
  };
}
