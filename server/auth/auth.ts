import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { jwt } from 'better-auth/plugins';
import type { JwtOptions } from 'better-auth/plugins/jwt';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../shared/auth';
import type { Database } from '../db/client';
import { schema } from '../db/schema';
import type { Logger } from '../logger';
import { accountFieldsPlugin } from './account-fields';
import { apiKeyPlugin, apiKeyTokens } from './api-keys';
import { authEventsPlugin, betterAuthLogger } from './auth-events';
import { hashPassword, verifyPassword } from './password';
import { createSignInThrottle, signInThrottlePlugin } from './sign-in-throttle';
import type { TokenRevocations } from './revocation';
import { announcingJwkStore, tokenRevocationPlugin } from './revocation-plugin';

/**
 * Set by our HTTP layer from the socket (or a trusted proxy's X-Forwarded-For) after removing
 * whatever the client sent, so Better Auth's rate limiter keys on an address a client cannot forge.
 */
export const CLIENT_IP_HEADER = 'x-taskmanager-client-ip';

/** RS256: verifying is ~2x faster than Ed25519 here (see specs/decisions.md), and we verify on every call. */
export const JWT_ALGORITHM = 'RS256';

export interface AuthOptions {
  db: Database;
  baseURL: string;
  secret: string;
  trustedOrigins: string[];
  jwtTtlSeconds: number;
  jwtRotationDays: number;
  jwtGraceDays: number;
  rateLimitEnabled: boolean;
  /** Ending a session or changing a password revokes JWTs through this (see revocation.ts). */
  revocations: TokenRevocations;
  log: Logger;
}

const DAY = 24 * 60 * 60;

export function createAuth(options: AuthOptions) {
  const { baseURL, log } = options;
  const secureCookies = baseURL.startsWith('https://');
  const throttle = createSignInThrottle({ db: options.db, secret: options.secret });
  const jwtOptions = {
    jwks: {
      keyPairConfig: { alg: JWT_ALGORITHM, modulusLength: 2048 },
      rotationInterval: options.jwtRotationDays * DAY,
      gracePeriod: options.jwtGraceDays * DAY,
    },
    adapter: announcingJwkStore(options.revocations),
    jwt: {
      issuer: baseURL,
      audience: baseURL,
      expirationTime: `${options.jwtTtlSeconds}s`,
      // Only what the API needs; Better Auth would otherwise put the whole user row in.
      // `sid` names the session, so ending it can revoke exactly its tokens.
      definePayload: ({ user, session }) => ({ email: user.email, sid: session.id }),
    },
  } satisfies JwtOptions;
  // API keys are exchanged for JWTs signed exactly like the browser's (same keys, iss, aud, TTL).
  const keyTokens = apiKeyTokens({
    jwt: jwtOptions,
    tokenTtlSeconds: options.jwtTtlSeconds,
    revocations: options.revocations,
  });
  const auth = betterAuth({
    appName: 'Tasks',
    baseURL,
    basePath: '/api/auth',
    secret: options.secret,
    trustedOrigins: options.trustedOrigins,
    database: drizzleAdapter(options.db, { provider: 'pg', schema }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
      autoSignIn: true,
      // Better Auth's default scrypt cost (N=2^14, r=16) is below the OWASP minimum.
      password: { hash: hashPassword, verify: verifyPassword },
    },
    rateLimit: {
      // Better Auth only enables this in production by default; we want it everywhere.
      enabled: options.rateLimitEnabled,
      // One budget across all instances and restarts; the memory store is a per-process Map, so N
      // instances would give N times the attempts. See specs/auth-hardening.md.
      storage: 'database',
      window: 60,
      max: 100,
      customRules: {
        '/sign-in/email': { window: 60, max: 10 },
        '/sign-up/email': { window: 60, max: 5 },
        '/token': { window: 60, max: 60 },
        // Per address; each key also has its own budget (api-keys.ts).
        '/api-key/token': { window: 60, max: 60 },
      },
    },
    advanced: {
      // A /64 is what one IPv6 customer gets: rotating inside it must not buy more attempts.
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER], ipv6Subnet: 64 },
      useSecureCookies: secureCookies,
      // Better Auth turns its Origin (CSRF) check off when NODE_ENV=test or TEST is set; a security
      // control must not depend on an environment flag, and tests must see what production does.
      disableOriginCheck: false,
    },
    logger: betterAuthLogger(log),
    telemetry: { enabled: false },
    plugins: [
      signInThrottlePlugin({ throttle, log, secureCookies }),
      accountFieldsPlugin(),
      authEventsPlugin({ log, accountKey: throttle.keyFor }),
      jwt(jwtOptions),
      apiKeyPlugin(),
      keyTokens.plugin,
      tokenRevocationPlugin(options.revocations),
    ],
  });
  keyTokens.bindVerifier((key) => auth.api.verifyApiKey({ body: { key } }));
  return auth;
}

export type Auth = ReturnType<typeof createAuth>;
