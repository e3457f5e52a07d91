import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { API_KEY_SCOPES, parseScope, type ApiKeyScope } from '../../shared/api-key';
import type { RevocationClaims } from './revocation';

/** Tokens above this are refused before any parsing (ours are ~0.6 KB). */
export const MAX_TOKEN_BYTES = 8 * 1024;
/** Tolerated clock skew between the signer and us. */
export const CLOCK_TOLERANCE_SECONDS = 10;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const claimsSchema = z.object({
  sub: z.string().min(1).max(255),
  email: z.string().min(3).max(254),
  /** The Better Auth session the token was minted from: what sign-out revokes. */
  sid: z.string().min(1).max(255),
  iat: z.number(),
  /** Only in tokens exchanged for an API key (space-separated); a browser's token has every scope. */
  scope: z.string().max(255).optional(),
});

export type TokenUser = {
  id: string;
  email: string;
  /** What this token may do: every scope for a signed-in person, the key's scopes for a service. */
  scopes: readonly ApiKeyScope[];
  /**
   * The token's session id, issue and expiry times (s): a long-lived stream (task.changes) ends
   * when the token expires or its session is revoked. Absent for users made in tests.
   */
  token?: { sid: string; iat: number; exp: number };
};

/** Why a request has no user; logged, never sent to the client. */
export type TokenFailure =
  | 'malformed'
  | 'too-large'
  | 'expired'
  | 'not-yet-valid'
  | 'bad-claims'
  | 'bad-signature'
  | 'unknown-key'
  | 'bad-algorithm'
  | 'revoked'
  | 'invalid';

export type VerifyResult =
  | { ok: true; user: TokenUser }
  | { ok: false; failure: TokenFailure }
  /** We could not tell: the key source failed. Callers answer 503, not 401. */
  | { ok: false; failure: 'keys-unavailable' };

/** Thrown by a key source that cannot load keys (database down, remote JWKS unreachable). */
export class KeySourceUnavailableError extends Error {
  override name = 'KeySourceUnavailableError';
}

export interface KeySetOptions {
  /** Minimum time between two reloads triggered by an unknown `kid`. */
  cooldownMs?: number;
  /** Keys older than this are reloaded, so removed (rotated-out) keys stop verifying. */
  maxAgeMs?: number;
  now?: () => number;
}

/** A key set that can also be told to reload (a key was rotated or removed elsewhere). */
export type CachedKeySet = JWTVerifyGetKey & {
  invalidate(): void;
  /** Which load of the keys is in use, or undefined once that copy is stale (it reloads next). */
  current(): number | undefined;
};

/**
 * Holds a JWKS in memory and reloads it when a token names an unknown `kid` (at most once per
 * cool-down) or when the copy is older than `maxAgeMs`. Concurrent reloads share one load.
 */
export function createCachedKeySet(
  load: () => Promise<JSONWebKeySet>,
  { cooldownMs = 30_000, maxAgeMs = 5 * 60_000, now = Date.now }: KeySetOptions = {},
): CachedKeySet {
  let keySet: JWTVerifyGetKey | undefined;
  let loadedAt = -Infinity;
  let pending: Promise<JWTVerifyGetKey> | undefined;
  /** Bumped by `invalidate()`: a load that started before it may hold the old keys. */
  let generation = 0;
  /** Bumped by every completed load. */
  let loads = 0;

  const reload = (): Promise<JWTVerifyGetKey> => {
    if (pending) return pending;
    const startedIn = generation;
    const loading: Promise<JWTVerifyGetKey> = load()
      .then(
        (jwks) => {
          keySet = createLocalJWKSet(jwks);
          loads++;
          // Stale if invalidated meanwhile: use it for now, but reload on the next call.
          loadedAt = startedIn === generation ? now() : -Infinity;
          return keySet;
        },
        (cause: unknown) => {
          throw new KeySourceUnavailableError('could not load the JWKS', { cause });
        },
      )
      .finally(() => {
        if (pending === loading) pending = undefined;
      });
    pending = loading;
    return loading;
  };

  const getKey: JWTVerifyGetKey = async (header, token) => {
    const current = keySet && now() - loadedAt < maxAgeMs ? keySet : await reload();
    try {
      return await current(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey && now() - loadedAt >= cooldownMs) {
        return (await reload())(header, token);
      }
      throw error;
    }
  };
  return Object.assign(getKey, {
    current: () => (keySet && now() - loadedAt < maxAgeMs ? loads : undefined),
    // The next verification reloads, and an unknown kid right after may reload again.
    invalidate() {
      generation++;
      loadedAt = -Infinity;
      pending = undefined;
    },
  });
}

/** Loads a JWKS over HTTP with a timeout; any failure is "unavailable", never "invalid token". */
export function fetchJwks(url: string, timeoutMs = 5_000): () => Promise<JSONWebKeySet> {
  return async () => {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
    });
    if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
    const body: unknown = await response.json();
    const parsed = z.object({ keys: z.array(z.looseObject({ kty: z.string() })) }).parse(body);
    return parsed as JSONWebKeySet;
  };
}

export interface VerifierOptions {
  /** A {@link CachedKeySet} also bounds remembered verifications to the keys they were made with. */
  keys: JWTVerifyGetKey | CachedKeySet;
  issuer: string;
  audience: string;
  algorithm: string;
  /** Tokens issued longer ago than this are refused even if `exp` says otherwise. */
  maxTokenAgeSeconds: number;
  /** Consulted only after the signature and claims check out; must not do I/O (it runs per request). */
  isRevoked?: (claims: RevocationClaims) => boolean;
  /** Verified tokens remembered (exact token -> user) until their expiry; 0 turns the cache off. */
  cacheSize?: number;
  /** Longest a verified token is remembered when `keys` cannot say whether they changed. */
  cacheTtlMs?: number;
  now?: () => number;
}

/** Enough for every token live at once on a busy instance; ~1 KB each. */
export const DEFAULT_VERIFY_CACHE_SIZE = 10_000;
/** The key set's default reload age. */
export const DEFAULT_VERIFY_CACHE_TTL_MS = 5 * 60_000;

interface VerifiedToken {
  user: TokenUser;
  claims: RevocationClaims;
  /** ms: the earliest of exp, iat + maxTokenAge and the cache TTL */
  until: number;
  /** The key set load it was verified with; a reload, an invalidation or a stale copy ends it. */
  keys: number | undefined;
}

function classify(error: unknown): VerifyResult {
  if (error instanceof KeySourceUnavailableError) return { ok: false, failure: 'keys-unavailable' };
  if (error instanceof errors.JWTExpired) return { ok: false, failure: 'expired' };
  if (error instanceof errors.JWTClaimValidationFailed) {
    return { ok: false, failure: error.claim === 'nbf' ? 'not-yet-valid' : 'bad-claims' };
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return { ok: false, failure: 'bad-signature' };
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return { ok: false, failure: 'unknown-key' };
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return { ok: false, failure: 'bad-algorithm' };
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return { ok: false, failure: 'malformed' };
  }
  return { ok: false, failure: 'invalid' };
}

/**
 * Builds the function that turns a bearer token into a user, following RFC 8725.
 *
 * A token that verified is remembered, keyed on its exact text, until it expires (D25): the
 * RSA check is most of a request's CPU and a client sends the same token for minutes. Only
 * successes are kept (an attacker cannot fill the cache without valid tokens), the cache is
 * bounded (oldest out first), revocation is still checked on every request, and a token is
 * remembered only while the key set still holds the very copy of the keys that verified it.
 */
export function createJwtVerifier(options: VerifierOptions) {
  const { keys, issuer, audience, algorithm, maxTokenAgeSeconds, isRevoked, now = Date.now } = options;
  const cacheSize = options.cacheSize ?? DEFAULT_VERIFY_CACHE_SIZE;
  const cacheTtlMs = options.cacheTtlMs ?? DEFAULT_VERIFY_CACHE_TTL_MS;
  const verified = new Map<string, VerifiedToken>();
  const keysInUse = 'current' in keys ? () => keys.current() : () => undefined;
  const checksKeys = 'current' in keys;

  const accept = ({ user, claims }: VerifiedToken): VerifyResult =>
    isRevoked?.(claims) ? { ok: false, failure: 'revoked' } : { ok: true, user };

  async function verifyToken(token: string): Promise<VerifyResult> {
    if (token.length > MAX_TOKEN_BYTES) return { ok: false, failure: 'too-large' };
    const at = now();
    const seen = verified.get(token);
    if (seen) {
      if (at < seen.until && (!checksKeys || (seen.keys !== undefined && seen.keys === keysInUse()))) {
        return accept(seen);
      }
      verified.delete(token);
    }
    if (!COMPACT_JWS.test(token)) return { ok: false, failure: 'malformed' };
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: [algorithm],
        issuer,
        audience,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        maxTokenAge: maxTokenAgeSeconds,
        requiredClaims: ['sub', 'exp', 'iat', 'iss', 'aud'],
        currentDate: new Date(at),
      });
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) return { ok: false, failure: 'bad-claims' };
      const entry: VerifiedToken = {
        user: {
          id: claims.data.sub,
          email: claims.data.email,
          scopes: claims.data.scope === undefined ? API_KEY_SCOPES : parseScope(claims.data.scope),
          token: { sid: claims.data.sid, iat: claims.data.iat, exp: payload.exp ?? 0 },
        },
        claims: claims.data,
        until: Math.min(
          (payload.exp ?? 0) * 1000,
          (claims.data.iat + maxTokenAgeSeconds) * 1000,
          at + cacheTtlMs,
        ),
        keys: keysInUse(),
      };
      if (cacheSize > 0 && at < entry.until) {
        if (verified.size >= cacheSize) verified.delete(verified.keys().next().value ?? '');
        verified.set(token, entry);
      }
      return accept(entry);
    } catch (error) {
      return classify(error);
    }
  }

  return Object.assign(verifyToken, {
    /** For tests and diagnostics: how many verifications are remembered. */
    cachedCount: () => verified.size,
  });
}

export type VerifyToken = ReturnType<typeof createJwtVerifier>;

/**
 * Extracts the token from an `Authorization` header value. Exactly one `Bearer` credential
 * (scheme case-insensitive); anything else is no token at all.
 */
export function parseBearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer +([^\s,]+) *$/i.exec(header);
  return match?.[1];
}
