import { Route, Routes } from 'react-router';
import { ApiKeysPage } from '../features/api-keys/api-keys-page';
import { AccountPage } from '../features/account/account-page';
import { ForgotPasswordPage } from '../features/auth/forgot-password-page';
import { ResetPasswordPage } from '../features/auth/reset-password-page';
import { SignInPage } from '../features/auth/sign-in-page';
import { SignUpPage } from '../features/auth/sign-up-page';
import { TasksPage } from '../features/tasks/tasks-page';
import { AppShell } from './app-shell';
import { NotFoundPage } from './not-found-page';
import { RequireAuth } from './require-auth';

/**
 * The app's URLs: `/` (tasks, `?filter=`), `/sign-in` (`?next=`), `/sign-up`, `/forgot-password`,
 * `/reset-password` (`?token=`, from the reset mail), `/account`, `/api-keys`.
 */
export function AppRoutes() {
  return (
    <AppShell>
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
    </AppShell>
  );
}
