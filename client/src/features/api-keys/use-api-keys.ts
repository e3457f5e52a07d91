import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { permissionsToScopes, type ApiKeyScope } from '../../../../shared/api-key';
import type { createAppAuthClient } from '../../lib/auth-client';
import { useServices } from '../../lib/services-context';

type AuthClient = ReturnType<typeof createAppAuthClient>;
type ListedKey = NonNullable<Awaited<ReturnType<AuthClient['apiKey']['list']>>['data']>['apiKeys'][number];
type CreatedKey = NonNullable<Awaited<ReturnType<AuthClient['apiKey']['create']>>['data']>;

/** A key as the page shows it: never its secret (the server no longer has it). */
export interface ApiKeyView {
  id: string;
  name: string;
  start: string | null;
  scopes: ApiKeyScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}

const toDate = (value: Date | string | null | undefined): Date | null => (value ? new Date(value) : null);

function toView(key: ListedKey | CreatedKey): ApiKeyView {
  return {
    id: key.id,
    name: key.name ?? 'Unnamed key',
    start: key.start ?? null,
    scopes: permissionsToScopes(key.permissions),
    createdAt: toDate(key.createdAt) ?? new Date(0),
    lastUsedAt: toDate(key.lastRequest),
    expiresAt: toDate(key.expiresAt),
  };
}

/** Better Auth's client answers `{ data, error }`; a refusal becomes an Error with its message. */
function orThrow<T>(
  result: { data: T | null; error: { message?: string | undefined } | null },
  what: string,
): T {
  if (result.error || result.data === null) throw new Error(result.error?.message || `Could not ${what}`);
  return result.data;
}

const KEYS = ['api-keys'] as const;

/** The signed-in person's API keys, through Better Auth's API-key client (session cookie). */
export function useApiKeys() {
  const { authClient } = useServices();
  const queryClient = useQueryClient();

  const list = useQuery({
    queryKey: KEYS,
    queryFn: async () => {
      const { apiKeys } = orThrow(await authClient.apiKey.list(), 'load your API keys');
      return apiKeys.map(toView).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    },
  });

  const create = useMutation({
    mutationFn: async (input: { name: string; scopes: ApiKeyScope[]; expiresInDays: number | null }) => {
      const created = orThrow(
        await authClient.apiKey.create({
          name: input.name,
          metadata: { scopes: input.scopes },
          ...(input.expiresInDays === null ? {} : { expiresIn: input.expiresInDays * 24 * 60 * 60 }),
        }),
        'create the key',
      );
      return { key: toView(created), secret: created.key };
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: KEYS }),
  });

  const revoke = useMutation({
    mutationFn: async (id: string) =>
      orThrow(await authClient.apiKey.delete({ keyId: id }), 'revoke the key'),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: KEYS }),
  });

  return { list, create, revoke };
}
