import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useServices } from '../../lib/services-context';
import type { LiveState } from './live-connection';
import { applyTaskChange, taskQueriesKey } from './task-cache';

/**
 * Keeps the task lists and counts current with changes made in other tabs and devices, and says
 * how the connection is. Events are set aside while this tab's own changes are in flight: the
 * refetch that follows the last of them (use-task-actions.ts `settle`) has the last word.
 */
export function useLiveUpdates(): LiveState {
  const services = useServices();
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');

  useEffect(() => {
    if (!services.live) return;
    let stop: (() => void) | undefined;
    let cancelled = false;
    void import('./live-connection')
      .then(({ connectTaskChanges }) => {
        if (cancelled) return;
        stop = connectTaskChanges({
          baseUrl: services.baseURL,
          fetch: services.fetch,
          getToken: () => services.session.getToken().catch(() => null),
          onState: setState,
          onEvent: (event) => {
            if (queryClient.isMutating({ mutationKey: taskQueriesKey() }) > 0) return;
            if (!applyTaskChange(queryClient, event)) {
              void queryClient.invalidateQueries({ queryKey: taskQueriesKey() });
            }
          },
        });
      })
      .catch(() => setState('offline'));
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [services, queryClient]);

  return state;
}
