import { QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { Services } from '../lib/create-services';
import { ServicesProvider } from '../lib/services-context';
import { trpc } from '../lib/trpc';
import { SessionEffects } from './session-effects';

/** Every provider the app needs; the router goes inside (browser in the app, memory in tests). */
export function AppProviders({ services, children }: { services: Services; children: ReactNode }) {
  return (
    <ServicesProvider services={services}>
      <trpc.Provider client={services.trpcClient} queryClient={services.queryClient}>
        <QueryClientProvider client={services.queryClient}>
          <SessionEffects />
          {children}
        </QueryClientProvider>
      </trpc.Provider>
    </ServicesProvider>
  );
}
