/**
 * API keys: what a key may do (its scopes), what the web client sends to create one, and where a
 * service exchanges a key for a JWT. Shared by the server, the web client and the SDK.
 */
import { z } from 'zod';

/** Read tasks (list, counts, get) / change them (create, update, toggle, delete, clearCompleted). */
export const API_KEY_SCOPES = ['tasks:read', 'tasks:write'] as const;
export const apiKeyScopeSchema = z.enum(API_KEY_SCOPES);
export type ApiKeyScope = z.infer<typeof apiKeyScopeSchema>;

/** The header a service sends its key in (never the URL); `Authorization: Bearer <key>` also works. */
export const API_KEY_HEADER = 'x-api-key';
/** POST here with the key to get a short-lived JWT. */
export const API_KEY_TOKEN_PATH = '/api/auth/api-key/token';
/** What the exchange answers (200). */
export const apiKeyTokenResponseSchema = z.object({
  token: z.string().min(1),
  /** ISO time the token expires: never after the key does. */
  expiresAt: z.iso.datetime(),
  /** Seconds from now until `expiresAt`, so a client with a skewed clock can still renew in time. */
  expiresIn: z.number().int().positive(),
  scope: z.string(),
});
export type ApiKeyTokenResponse = z.infer<typeof apiKeyTokenResponseSchema>;

/** Every key starts with this, so a leaked one is recognizable (secret scanners, logs). */
export const API_KEY_PREFIX = 'tm_';
export const API_KEY_NAME_MAX = 32;
/** Better Auth's API-key plugin bounds (days). */
export const API_KEY_MIN_DAYS = 1;
export const API_KEY_MAX_DAYS = 365;

/** A JWT's `scope` claim: the scopes, space-separated (RFC 8693). */
export const formatScope = (scopes: readonly ApiKeyScope[]): string => scopes.join(' ');

/** Unknown words are ignored: a token never gains a scope it does not name exactly. */
export const parseScope = (scope: string): ApiKeyScope[] =>
  API_KEY_SCOPES.filter((known) => scope.split(' ').includes(known));

/**
 * What the web client sends to `/api/auth/api-key/create` as `metadata`: the scopes chosen.
 * The server turns them into the key's permissions at creation; permissions cannot be changed
 * from a browser afterwards.
 */
export const apiKeyRequestSchema = z.object({
  scopes: z.array(apiKeyScopeSchema).min(1, 'Choose at least one scope').max(API_KEY_SCOPES.length),
});

/** The form on the API keys page. */
export const createApiKeyFormSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Name is required')
    .max(API_KEY_NAME_MAX, `Name must be at most ${API_KEY_NAME_MAX} characters`),
  scopes: apiKeyRequestSchema.shape.scopes,
  expiresInDays: z
    .number()
    .int('Whole days only')
    .min(API_KEY_MIN_DAYS, `At least ${API_KEY_MIN_DAYS} day`)
    .max(API_KEY_MAX_DAYS, `At most ${API_KEY_MAX_DAYS} days`)
    .nullable(),
});

/** A key's stored permissions (Better Auth's `{ resource: actions[] }`) as scopes. */
export const apiKeyPermissionsSchema = z.object({ tasks: z.array(z.enum(['read', 'write'])) });
export type ApiKeyPermissions = z.infer<typeof apiKeyPermissionsSchema>;

export const scopesToPermissions = (scopes: readonly ApiKeyScope[]): ApiKeyPermissions => ({
  tasks: scopes.map((scope) => (scope === 'tasks:read' ? 'read' : 'write')),
});

/** Anything that is not exactly our permissions shape grants nothing. */
export function permissionsToScopes(permissions: unknown): ApiKeyScope[] {
  const parsed = apiKeyPermissionsSchema.safeParse(permissions);
  if (!parsed.success) return [];
  return API_KEY_SCOPES.filter((scope) =>
    parsed.data.tasks.includes(scope === 'tasks:read' ? 'read' : 'write'),
  );
}
