import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { SignInPage } from '../features/auth/sign-in-page';
import { TasksPage } from '../features/tasks/tasks-page';
import { AppShell } from './app-shell';
import { NotFoundPage } from './not-found-page';
import { RequireAuth } from './require-auth';

/*
 * Pages visited rarely load on demand, so the first load (sign-in or the task list) stays within
 * the 150 kB gzip budget (client.md, Measurements).
 */
const ApiKeysPage = lazy(() =>
  import('../features/api-keys/api-keys-page').then((m) => ({ default: m.ApiKeysPage })),
);
const AccountPage = lazy(() =>
  import('../features/account/account-page').then((m) => ({ default: m.AccountPage })),
);
const ForgotPasswordPage = lazy(() =>
  import('../features/auth/forgot-password-page').then((m) => ({ default: m.ForgotPasswordPage })),
);
// Sign-up is visited once per account; sign-in stays in the first load (where sessions end).
const SignUpPage = lazy(() =>
  import('../features/auth/sign-up-page').then((m) => ({ default: m.SignUpPage })),
);
const ResetPasswordPage = lazy(() =>
  import('../features/auth/reset-password-page').then((m) => ({ default: m.ResetPasswordPage })),
);

/** Shown for the moment a lazily loaded page takes to arrive. */
const pageLoading = (
  <div className="list-status" role="status">
    <span className="spinner" aria-hidden="true" /> Loading…
  </div>
);

/**
 * The app's URLs: `/` (tasks, `?filter=`), `/sign-in` (`?next=`), `/sign-up`, `/forgot-password`,
 * `/reset-password` (`?token=`, from the reset mail), `/account`, `/api-keys`.
 */
export function AppRoutes() {
  return (
    <AppShell>
      <Suspense fallback={pageLoading}>
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
