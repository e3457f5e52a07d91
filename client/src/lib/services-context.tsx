import { createContext, use, useSyncExternalStore, type ReactNode } from 'react';
import type { Services } from './create-services';
import type { KeptListState } from './offline/kept-list';
import type { SessionSnapshot } from './session';

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider({ services, children }: { services: Services; children: ReactNode }) {
  return <ServicesContext value={services}>{children}</ServicesContext>;
}

/** The app's auth client, session and query cache (see `create-services.ts`). */
export function useServices(): Services {
  const services = use(ServicesContext);
  if (!services) throw new Error('useServices must be used inside <ServicesProvider>');
  return services;
}

/** The current session state; re-renders when it changes. */
export function useSession(): SessionSnapshot {
  const { session } = useServices();
  return useSyncExternalStore(session.subscribe, session.getSnapshot, session.getSnapshot);
}

/** What this device keeps for offline use (D38); re-renders when it changes. */
export function useKeptList(): KeptListState {
  const { keptList } = useServices();
  return useSyncExternalStore(keptList.subscribe, keptList.getSnapshot, keptList.getSnapshot);
}
