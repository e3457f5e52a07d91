import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { TasksPage } from '../features/tasks/tasks-page';
import { AppShell } from './app-shell';
import { NotFoundPage } from './not-found-page';
import { RequireAuth } from './require-auth';

// Every page but the task list loads on demand, keeping what a signed-in person's first load
// fetches under its budget (150 kB gzip, issue 14); the service worker precaches them all, so
// they open offline too.
const ApiKeysPage = lazy(() =>
  import('../features/api-keys/api-keys-page').then((m) => ({ default: m.ApiKeysPage })),
);
const AccountPage = lazy(() =>
  import('../features/account/account-page').then((m) => ({ default: m.AccountPage })),
);
const RecentlyDeletedPage = lazy(() =>
  import('../features/tasks/recently-deleted-page').then((m) => ({ default: m.RecentlyDeletedPage })),
);
const SignInPage = lazy(() =>
  import('../features/auth/sign-in-page').then((m) => ({ default: m.SignInPage })),
);
const SignUpPage = lazy(() =>
  import('../features/auth/sign-up-page').then((m) => ({ default: m.SignUpPage })),
);
const ForgotPasswordPage = lazy(() =>
  import('../features/auth/forgot-password-page').then((m) => ({ default: m.ForgotPasswordPage })),
);
const ResetPasswordPage = lazy(() =>
  import('../features/auth/reset-password-page').then((m) => ({ default: m.ResetPasswordPage })),
);

function PageLoading() {
  return (
    <div className="page-status" role="status">
      <span className="spinner" aria-hidden="true" /> Loading…
    </div>
  );
}

/**
 * The app's URLs: `/` (tasks, `?filter=`), `/sign-in` (`?next=`), `/sign-up`, `/forgot-password`,
 * `/reset-password` (`?token=`, from the reset mail), `/deleted` (recently deleted tasks), `/account`, `/api-keys`.
 */
export function AppRoutes() {
  return (
    <AppShell>
      <Suspense fallback={<PageLoading />}>
        <Routes>
          <Route
            path="/"
            element={
              <RequireAuth>
                <TasksPage />
              </RequireAuth>
            }
          />
          <Route
            path="/deleted"
            element={
              <RequireAuth>
                <RecentlyDeletedPage />
              </RequireAuth>
            }
          />
          <Route
            path="/api-keys"
            element={
              <RequireAuth>
                <ApiKeysPage />
              </RequireAuth>
            }
          />
          <Route path="/sign-in" element={<SignInPage />} />
          <Route path="/sign-up" element={<SignUpPage />} />
          <Route path="/forgot-password" element={<ForgotPasswordPage />} />
          <Route path="/reset-password" element={<ResetPasswordPage />} />
          <Route
            path="/account"
            element={
              <RequireAuth>
                <AccountPage />
              </RequireAuth>
            }
          />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </AppShell>
  );
}
