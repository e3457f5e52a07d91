import { apiKeyClient } from '@better-auth/api-key/client';
import { jwtClient } from 'better-auth/client/plugins';
import { createAuthClient } from 'better-auth/react';

/** Better Auth's client for our origin; `fetchImpl` lets tests stand in for the network. */
export function createAppAuthClient(baseURL: string, fetchImpl?: typeof fetch) {
  return createAuthClient({
    baseURL,
    basePath: '/api/auth',
    plugins: [jwtClient(), apiKeyClient()],
    fetchOptions: {
      credentials: 'include',
      ...(fetchImpl ? { customFetchImpl: fetchImpl } : {}),
    },
  });
}
