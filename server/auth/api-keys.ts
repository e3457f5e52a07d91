/**
 * API keys for other services (issue 11): Better Auth's API-key plugin stores them (hashed, named,
 * optional expiry, rate limited), and our plugin exchanges a key for the same RS256 JWT a browser
 * gets, with a `scope` claim and `sid` = `apikey:<id>`, so the tRPC API keeps verifying one kind
 * of token and revoking the sid revokes the key's outstanding JWTs on every instance.
 */
import { apiKey } from '@better-auth/api-key';
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthEndpoint, createAuthMiddleware, getSessionFromCtx } from 'better-auth/api';
import { signJWT, type JwtOptions } from 'better-auth/plugins/jwt';
import { z } from 'zod';
import {
  API_KEY_HEADER,
  API_KEY_MAX_DAYS,
  API_KEY_MIN_DAYS,
  API_KEY_NAME_MAX,
  API_KEY_PREFIX,
  apiKeyRequestSchema,
  formatScope,
  permissionsToScopes,
  scopesToPermissions,
} from '../../shared/api-key';
import type { TokenRevocations } from './revocation';
import { parseBearer } from './verify-jwt';

/** Exchanges per key per window (the plugin's own per-key limit; the per-address one is in auth.ts). */
export const API_KEY_EXCHANGES_PER_WINDOW = 30;
export const API_KEY_EXCHANGE_WINDOW_MS = 60_000;

/** The `sid` of every JWT minted from this key: what deleting the key revokes. */
export const apiKeySessionId = (keyId: string): string => `apikey:${keyId}`;

/** The keys we issue: `tm_` + 64 letters. Anything else is refused before any database read. */
const KEY_FORMAT = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * Better Auth's API-key plugin, configured for us. A browser may not set permissions (the plugin
 * refuses), so the scopes it asks for travel in `metadata` and become the key's permissions here,
 * at creation; from then on only the server can change them.
 */
export function apiKeyPlugin() {
  return apiKey({
    defaultPrefix: API_KEY_PREFIX,
    requireName: true,
    maximumNameLength: API_KEY_NAME_MAX,
    enableMetadata: true,
    keyExpiration: { defaultExpiresIn: null, minExpiresIn: API_KEY_MIN_DAYS, maxExpiresIn: API_KEY_MAX_DAYS },
    rateLimit: {
      enabled: true,
      timeWindow: API_KEY_EXCHANGE_WINDOW_MS,
      maxRequests: API_KEY_EXCHANGES_PER_WINDOW,
    },
    // A key is not a session: it is only ever exchanged for a JWT at /api-key/token.
    enableSessionForAPIKeys: false,
    permissions: {
      defaultPermissions: (_referenceId, ctx) => {
        const body = z
          .looseObject({ permissions: z.unknown().optional(), metadata: z.unknown().optional() })
          .safeParse(ctx.body);
        // The server (not a browser) passed permissions itself: the plugin uses those.
        if (body.success && body.data.permissions !== undefined) return {};
        const requested = apiKeyRequestSchema.safeParse(body.success ? body.data.metadata : undefined);
        if (!requested.success) {
          throw new APIError('BAD_REQUEST', {
            code: 'INVALID_SCOPES',
            message: 'Choose at least one scope: tasks:read, tasks:write',
          });
        }
        return scopesToPermissions(requested.data.scopes);
      },
    },
  });
}

/** What we need from the plugin's `verifyApiKey` answer (parsed, not trusted). */
const verifiedKeySchema = z.discriminatedUnion('valid', [
  z.object({
    valid: z.literal(true),
    key: z.object({
      id: z.string().min(1).max(200),
      referenceId: z.string().min(1),
      expiresAt: z.date().nullable(),
      permissions: z.unknown(),
    }),
  }),
  z.object({
    valid: z.literal(false),
    error: z.looseObject({ code: z.string().optional(), details: z.unknown() }).nullable(),
  }),
]);

const rateLimitDetails = z.object({ tryAgainIn: z.number().nonnegative() });

/** One answer for every refused key (unknown, malformed, expired, disabled, revoked): no enumeration. */
const invalidKey = () =>
  new APIError('UNAUTHORIZED', { code: 'INVALID_API_KEY', message: 'Invalid or expired API key' });

/**
 * The database (or the signing keys in it) failed after the key checked out: 503, so the caller
 * retries, never a 500 with the driver's words. (A failure inside the plugin's own verification
 * cannot be told apart from a bad key: the plugin answers "invalid" for both.)
 */
async function unavailableOnFailure<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    if (cause instanceof APIError) throw cause;
    throw new APIError('SERVICE_UNAVAILABLE', { code: 'UNAVAILABLE', message: 'Try again shortly' });
  }
}

/** `x-api-key: <key>`, else `Authorization: Bearer <key>`; never the URL or the body. */
function presentedKey(headers: Headers | undefined): string | undefined {
  const key = headers?.get(API_KEY_HEADER) ?? parseBearer(headers?.get('authorization') ?? undefined);
  return key && KEY_FORMAT.test(key) ? key : undefined;
}

export interface ApiKeyTokenOptions {
  /** The JWT plugin's options: the same keys, issuer, audience and lifetime as browser tokens. */
  jwt: JwtOptions;
  tokenTtlSeconds: number;
  revocations: TokenRevocations;
}

/**
 * Our plugin: `POST /api-key/token` and the hooks that revoke a key's JWTs when it is deleted or
 * disabled. `verifyKey` is bound after `betterAuth()` returns (it calls `auth.api.verifyApiKey`,
 * which checks the hash, expiry, enabled flag and rate limit and records the last use).
 */
export function apiKeyTokens(options: ApiKeyTokenOptions) {
  let verifyKey: ((key: string) => Promise<unknown>) | undefined;

  const plugin = {
    id: 'api-key-token',
    endpoints: {
      exchangeApiKey: createAuthEndpoint('/api-key/token', { method: 'POST' }, async (ctx) => {
        const key = presentedKey(ctx.headers);
        const verify = verifyKey;
        if (!key || !verify) throw invalidKey();
        const result = verifiedKeySchema.safeParse(await unavailableOnFailure(() => verify(key)));
        if (!result.success) throw invalidKey();
        if (!result.data.valid) {
          const details = rateLimitDetails.safeParse(result.data.error?.details);
          if (result.data.error?.code === 'RATE_LIMITED' && details.success) {
            // Only a caller holding a valid key gets here, so saying so reveals nothing.
            throw new APIError(
              'TOO_MANY_REQUESTS',
              { code: 'RATE_LIMITED', message: 'Too many token requests for this key; retry later' },
              { 'Retry-After': String(Math.max(1, Math.ceil(details.data.tryAgainIn / 1000))) },
            );
          }
          throw invalidKey();
        }
        const { id, referenceId, expiresAt, permissions } = result.data.key;
        const scopes = permissionsToScopes(permissions);
        const user = await unavailableOnFailure(() => ctx.context.internalAdapter.findUserById(referenceId));
        if (!user || scopes.length === 0) throw invalidKey();

        const now = Math.floor(Date.now() / 1000);
        // Never outlive the key: a token from a key expiring in 5 minutes lasts 5 minutes.
        const keyEnds = expiresAt ? Math.floor(expiresAt.getTime() / 1000) : Number.POSITIVE_INFINITY;
        const exp = Math.min(now + options.tokenTtlSeconds, keyEnds);
        if (exp <= now) throw invalidKey();
        const scope = formatScope(scopes);
        const token = await unavailableOnFailure(() =>
          signJWT(ctx, {
            options: options.jwt,
            payload: { sub: user.id, email: user.email, sid: apiKeySessionId(id), scope, iat: now, exp },
          }),
        );
        return ctx.json({
          token,
          expiresAt: new Date(exp * 1000).toISOString(),
          expiresIn: exp - now,
          scope,
        });
      }),
    },
    hooks: {
      before: [
        {
          // Revoke first: if that fails the key survives and deleting fails visibly (as sign-out does).
          matcher: (ctx) => ctx.path === '/api-key/delete',
          handler: createAuthMiddleware(async (ctx) => {
            const keyId = z.object({ keyId: z.string().min(1).max(200) }).safeParse(ctx.body);
            const session = await getSessionFromCtx(ctx);
            if (!keyId.success || !session) return; // the plugin answers these itself
            const owned = await ctx.context.adapter.findOne<{ id: string; referenceId: string }>({
              model: 'apikey',
              where: [
                { field: 'id', value: keyId.data.keyId },
                { field: 'referenceId', value: session.user.id },
              ],
            });
            if (owned) {
              await options.revocations.revokeSession({
                id: apiKeySessionId(owned.id),
                userId: owned.referenceId,
              });
            }
          }),
        },
        {
          // A browser may rename a key; scopes, expiry and the enabled flag are fixed (a key's JWTs
          // share one sid, so re-enabling could not undo a revocation). Revoke and create instead.
          matcher: (ctx) => ctx.path === '/api-key/update' && ctx.request !== undefined,
          handler: createAuthMiddleware(async (ctx) => {
            const changes = z
              .object({ keyId: z.string(), name: z.string().optional(), configId: z.string().optional() })
              .strict()
              .safeParse(ctx.body);
            if (!changes.success) {
              throw new APIError('BAD_REQUEST', {
                code: 'API_KEY_FIXED',
                message: "Only a key's name can be changed; create a new key and revoke this one instead",
              });
            }
          }),
        },
      ],
      after: [
        {
          // The server disabled a key (no browser can): its JWTs stop too.
          matcher: (ctx) => ctx.path === '/api-key/update',
          handler: createAuthMiddleware(async (ctx) => {
            const body = z.object({ enabled: z.literal(false) }).safeParse(ctx.body);
            const key = z.object({ id: z.string(), referenceId: z.string() }).safeParse(ctx.context.returned);
            if (body.success && key.success) {
              await options.revocations.revokeSession({
                id: apiKeySessionId(key.data.id),
                userId: key.data.referenceId,
              });
            }
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;

  return {
    plugin,
    /** Call once with the built auth's `api.verifyApiKey`. */
    bindVerifier(verify: (key: string) => Promise<unknown>): void {
      verifyKey = verify;
    },
  };
}
