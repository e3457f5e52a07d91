/**
 * Keeps a JWT for an API key: exchanges the key at /api/auth/api-key/token on first use, again
 * shortly before the JWT expires, and again when the API said UNAUTHORIZED. Concurrent callers
 * share one exchange. The key is only ever sent in a header to the exchange, never in a URL.
 */
import { API_KEY_HEADER, API_KEY_TOKEN_PATH, apiKeyTokenResponseSchema } from './api-key';

/** The exchange refused the key (401: invalid, expired or revoked; 429: too many exchanges). */
export class ApiKeyExchangeError extends Error {
  override name = 'ApiKeyExchangeError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds to wait, from `Retry-After` (429). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface ApiKeyTokenOptions {
  baseUrl: string;
  apiKey: string;
  fetch?: typeof fetch | undefined;
  /** Renew this long before expiry (capped at half the token's lifetime). Default 60 s. */
  renewBeforeSeconds?: number | undefined;
  /** For tests: the clock. */
  now?: (() => number) | undefined;
}

export function createApiKeyTokens(opts: ApiKeyTokenOptions) {
  const now = opts.now ?? Date.now;
  const url = `${opts.baseUrl.replace(/\/+$/, '')}${API_KEY_TOKEN_PATH}`;
  let current: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function exchange(): Promise<string> {
    const response = await (opts.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { [API_KEY_HEADER]: opts.apiKey, accept: 'application/json' },
    });
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const error = body as { code?: unknown; message?: unknown } | null;
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new ApiKeyExchangeError(
        response.status,
        typeof error?.code === 'string' ? error.code : 'EXCHANGE_FAILED',
        typeof error?.message === 'string' ? error.message : `API key exchange failed (${response.status})`,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      );
    }
    const parsed = apiKeyTokenResponseSchema.safeParse(body);
    if (!parsed.success)
      throw new ApiKeyExchangeError(response.status, 'BAD_RESPONSE', 'Unexpected exchange answer');
    const { token, expiresIn } = parsed.data;
    const margin = Math.min(opts.renewBeforeSeconds ?? 60, expiresIn / 2);
    current = { token, renewAt: now() + (expiresIn - margin) * 1000 };
    return token;
  }

  return {
    /** A JWT valid for a while yet, exchanging the key if needed. */
    async get(): Promise<string> {
      if (current && now() < current.renewAt) return current.token;
      pending ??= exchange().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    /** The API refused this token: the next `get()` exchanges again (unless already renewed). */
    invalidate(token?: string | null): void {
      if (!token || current?.token === token) current = undefined;
    },
  };
}

export type ApiKeyTokens = ReturnType<typeof createApiKeyTokens>;
