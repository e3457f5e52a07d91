import { useQuery } from '@tanstack/react-query';
import { useServices } from '../../lib/services-context';

/** Query key of the signed-in account as Better Auth describes it (name, email, this session). */
export const ACCOUNT_QUERY_KEY = ['auth', 'account'] as const;

/** The signed-in account from Better Auth's get-session (name, email, verified, this session's id). */
export function useAccount() {
  const { authClient } = useServices();
  return useQuery({
    queryKey: ACCOUNT_QUERY_KEY,
    queryFn: async () => {
      const { data, error } = await authClient.getSession();
      if (error || !data) throw new Error('Could not load the account');
      return data;
    },
  });
}
