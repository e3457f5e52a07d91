import { z } from 'zod';

const envSchema = z
  .object({
    /** Unset means development, except that a non-loopback HOST then needs a real secret (below). */
    NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** Public base URL of this server; it is also the JWT `iss` and `aud`. */
    BETTER_AUTH_URL: z.url({ protocol: /^https?$/ }).optional(),
    BETTER_AUTH_SECRET: z.string().min(32, 'BETTER_AUTH_SECRET must be at least 32 characters').optional(),
    /** Extra origins (comma separated) allowed to make cookie requests to /api/auth. */
    TRUSTED_ORIGINS: z.string().optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    /** PostgreSQL itself, when DATABASE_URL is a transaction-mode pooler: for LISTEN and migrations. */
    DATABASE_DIRECT_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    /** Named prepared statements; `false` behind PgBouncer before 1.21 in transaction mode. */
    DATABASE_PREPARED_STATEMENTS: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    /** PostgreSQL statement_timeout for the pool: a slower statement is cancelled (503). */
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
    /** A procedure not done by then answers 503 instead of waiting longer for the database. */
    REQUEST_DEADLINE_MS: z.coerce.number().int().min(100).max(600_000).default(8_000),
    /** At start, how long to wait (with backoff) for PostgreSQL to answer before exiting 1. */
    DATABASE_WAIT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
    /** Where the embedded database (and the generated development secret) live. */
    DATA_DIR: z.string().min(1).default('.data'),
    /** Verify tokens against a remote Better Auth's JWKS instead of this server's own keys. */
    AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
    JWT_TTL_SECONDS: z.coerce.number().int().min(5).max(3600).default(900),
    JWT_ROTATION_DAYS: z.coerce.number().positive().max(3650).default(30),
    JWT_GRACE_DAYS: z.coerce.number().positive().max(365).default(2),
    RATE_LIMIT_ENABLED: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    /** Comma-separated proxy addresses/CIDRs whose X-Forwarded-For is believed. */
    TRUSTED_PROXIES: z.string().optional(),
    /** API requests processed at once; more get 503 + Retry-After rather than queueing without bound. */
    MAX_IN_FLIGHT_REQUESTS: z.coerce.number().int().min(1).max(100_000).default(256),
    /** Open `task.changes` streams one user may hold on one instance; more get TOO_MANY_REQUESTS. */
    LIVE_MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).max(1_000).default(10),
    /** How long the outbox keeps an event: a stream resumes across a gap up to this long. */
    TASK_EVENT_RETENTION_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .default(3_600),
    /** On SIGTERM/SIGINT, how long requests in flight may take to finish before they are cut. */
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    /** A deleted task stays restorable (Undo) this long, then the purge job removes it for good (D34). */
    DELETED_TASK_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(7),
    /** How often each instance runs that purge (several instances at once are safe). */
    DELETED_TASK_PURGE_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(3_600_000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Outgoing mail (password reset): one URL, e.g. smtps://user:password@smtp.example.com:465 … */
    SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
    /** … or its parts. */
    SMTP_HOST: z.string().min(1).optional(),
    SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
    /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
    SMTP_SECURE: z
      .enum(['true', 'false'])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === 'true')),
    SMTP_USER: z.string().min(1).optional(),
    SMTP_PASSWORD: z.string().min(1).optional(),
    /** The From of every mail, e.g. `Tasks <no-reply@tasks.example.com>`. */
    MAIL_FROM: z.string().min(3).max(254).default('Tasks <no-reply@localhost>'),
    /** Run without sending any mail (password reset is then unavailable); allowed in production only explicitly. */
    EMAIL_DISABLED: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  })
  .superRefine((env, ctx) => {
    // A server others can reach, started without saying which environment it is, would sign with a
    // secret generated in its own DATA_DIR: every instance a different one, lost with the folder.
    if (!env.NODE_ENV && !env.BETTER_AUTH_SECRET && !isLoopback(env.HOST)) {
      ctx.addIssue({
        code: 'custom',
        path: ['BETTER_AUTH_SECRET'],
        message: `HOST=${env.HOST} is not a loopback address and neither NODE_ENV nor BETTER_AUTH_SECRET is set: set NODE_ENV=production with BETTER_AUTH_SECRET and BETTER_AUTH_URL, or NODE_ENV=development to use a generated development secret`,
      });
    }
    if (env.NODE_ENV === 'production' && !env.BETTER_AUTH_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['BETTER_AUTH_SECRET'],
        message: 'BETTER_AUTH_SECRET is required in production (at least 32 random characters)',
      });
    }
    if (env.NODE_ENV === 'production' && !env.RATE_LIMIT_ENABLED) {
      ctx.addIssue({
        code: 'custom',
        path: ['RATE_LIMIT_ENABLED'],
        message: 'RATE_LIMIT_ENABLED=false is refused in production: the auth endpoints must be rate limited',
      });
    }
    if (env.NODE_ENV === 'production' && !env.BETTER_AUTH_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['BETTER_AUTH_URL'],
        message: 'BETTER_AUTH_URL is required in production (the public URL, e.g. https://tasks.example.com)',
      });
    }
    if (env.DATABASE_DIRECT_URL && !env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_DIRECT_URL'],
        message:
          'DATABASE_DIRECT_URL goes with DATABASE_URL (the pooler); without DATABASE_URL the embedded database is used',
      });
    }
    if (env.SMTP_URL && env.SMTP_HOST) {
      ctx.addIssue({
        code: 'custom',
        path: ['SMTP_HOST'],
        message: 'set either SMTP_URL or SMTP_HOST (with SMTP_PORT, SMTP_USER, SMTP_PASSWORD), not both',
      });
    }
    if (Boolean(env.SMTP_USER) !== Boolean(env.SMTP_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.SMTP_USER ? 'SMTP_PASSWORD' : 'SMTP_USER'],
        message: 'SMTP_USER and SMTP_PASSWORD go together',
      });
    }
    const smtp = Boolean(env.SMTP_URL ?? env.SMTP_HOST);
    // Without a mail server, password-reset links would go to a file on the server nobody reads.
    if (env.NODE_ENV === 'production' && !smtp && !env.EMAIL_DISABLED) {
      ctx.addIssue({
        code: 'custom',
        path: ['SMTP_URL'],
        message:
          'SMTP_URL (or SMTP_HOST) is required in production to send password-reset mail; set EMAIL_DISABLED=true to run without email',
      });
    }
    if (env.NODE_ENV === 'production' && smtp && env.MAIL_FROM.endsWith('@localhost>')) {
      ctx.addIssue({
        code: 'custom',
        path: ['MAIL_FROM'],
        message: 'MAIL_FROM is required in production with SMTP (e.g. Tasks <no-reply@tasks.example.com>)',
      });
    }
  })
  .transform(({ NODE_ENV, ...env }) => ({ ...env, NODE_ENV: NODE_ENV ?? 'development' }));

export type Env = z.infer<typeof envSchema>;

/** Loopback addresses only this machine can reach. */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(bare);
}

export class EnvError extends Error {
  override name = 'EnvError';
}

/** Parses the environment once; a missing or bad variable names itself in the error. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // An empty value means "not set", as in most `.env` files.
  const set = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = envSchema.safeParse(set);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join('\n')}`);
  }
  return result.data;
}

export const splitList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
