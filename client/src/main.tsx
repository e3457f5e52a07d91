import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { AppProviders } from './app/app-providers';
import { AppRoutes } from './app/app-routes';
import { createServices } from './lib/create-services';
import './app/app.css';

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');

const services = createServices({ baseURL: window.location.origin });

// The service worker (vite-plugin-pwa, production builds only) keeps the app shell for offline
// reloads; it never caches API answers.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => undefined);
  });
}

createRoot(root).render(
  <StrictMode>
    <AppProviders services={services}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </AppProviders>
  </StrictMode>,
);
