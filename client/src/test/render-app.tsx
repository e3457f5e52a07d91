import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router';
import { AppProviders } from '../app/app-providers';
import { AppRoutes } from '../app/app-routes';
import { createServices, type Services } from '../lib/create-services';
import type { TestApi } from './test-api';

const mounted: Services[] = [];

/** Shows the current URL so tests can assert navigation. */
function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

/** Renders the whole app at `path` against the test server (`useTestApi`). */
export function renderApp(api: Pick<TestApi, 'fetch'>, path = '/', state?: unknown) {
  const services = createServices({ baseURL: 'http://localhost:3000', fetch: api.fetch, live: false });
  mounted.push(services);
  const user = userEvent.setup();
  const view = render(
    <AppProviders services={services}>
      <MemoryRouter
        initialEntries={[
          {
            pathname: path.split('?')[0] ?? '/',
            search: path.includes('?') ? `?${path.split('?')[1]}` : '',
            state,
          },
        ]}
      >
        <AppRoutes />
        <LocationProbe />
      </MemoryRouter>
    </AppProviders>,
  );
  return { ...view, user, services };
}

/** Stops timers and drops caches of every app rendered by the test. */
export function cleanupApps(): void {
  for (const services of mounted.splice(0)) {
    services.dispose();
    services.queryClient.clear();
  }
}
