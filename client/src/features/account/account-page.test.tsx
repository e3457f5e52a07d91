import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { renderApp } from '../../test/render-app';
import { useTestApi } from '../../test/test-api';

const api = useTestApi();

async function signedIn() {
  const me = await api.addUser({ name: 'Me', email: 'me@example.com', password: 'correct horse battery' });
  api.signInAs(me);
  return me;
}

describe('account page', () => {
  test('is reached from the account menu and shows the name and email', async () => {
    await signedIn();
    const { user } = renderApp(api, '/');
    await user.click(await screen.findByRole('button', { name: 'Account: me@example.com' }));
    // Opening the menu puts focus on its first item.
    expect(screen.getByRole('link', { name: 'Account settings' })).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('heading', { name: 'Account', level: 1 })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/account$/);
    expect(await screen.findByText('Me')).toBeInTheDocument();
    expect(screen.getByText('me@example.com', { selector: 'dd' })).toBeInTheDocument();
  });

  test('needs a signed-in user', async () => {
    renderApp(api, '/account');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
  });

  test('changes the password with the current one, and explains a wrong one', async () => {
    const me = await signedIn();
    api.addSession('Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) Version/18.5 Mobile Safari/604.1');
    const { user } = renderApp(api, '/account');
    const current = await screen.findByLabelText('Current password');
    await user.type(current, 'not it');
    await user.type(screen.getByLabelText('New password'), 'a new passphrase');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('That isn’t your current password.')).toBeInTheDocument();
    expect(current).toHaveAttribute('aria-invalid', 'true');
    expect(current).toHaveFocus();

    await user.clear(current);
    await user.type(current, me.password);
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(
      await screen.findByText('Password changed. Your other devices have been signed out.'),
    ).toBeInTheDocument();
    expect(api.passwordOf(me.email)).toBe('a new passphrase');
    expect(current).toHaveValue('');
    // The other device is gone from the list; this one stays.
    await waitFor(() => expect(screen.queryByText('Safari on iOS')).not.toBeInTheDocument());
    expect(screen.getByText('(this device)')).toBeInTheDocument();
  });

  test('lists the devices, signs one out, then every other one', async () => {
    await signedIn();
    api.addSession('Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) Version/18.5 Mobile Safari/604.1');
    api.addSession('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:142.0) Gecko/20100101 Firefox/142.0');
    const { user } = renderApp(api, '/account');
    const list = await screen.findByRole('list', { name: 'Signed-in devices' });
    await within(list).findByText('Safari on iOS');
    expect(within(list).getAllByRole('listitem')).toHaveLength(3);
    const mine = within(list).getByText('(this device)').closest('li');
    expect(mine).toHaveTextContent('Chrome on Linux');

    await user.click(within(list).getByRole('button', { name: /^Sign out Safari on iOS/ }));
    await waitFor(() => expect(within(list).queryByText('Safari on iOS')).not.toBeInTheDocument());
    expect(api.sessions()).toHaveLength(2);

    await user.click(screen.getByRole('button', { name: 'Sign out everywhere else' }));
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(1));
    expect(api.sessions()).toEqual(['current-session']);
    expect(screen.getByRole('button', { name: 'Sign out everywhere else' })).toBeDisabled();
  });

  test('"Sign out of this device" signs out', async () => {
    await signedIn();
    const { user, services } = renderApp(api, '/account');
    await user.click(await screen.findByRole('button', { name: 'Sign out of this device' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(await services.session.getToken()).toBeNull();
  });

  test('deletes the account and its tasks only with the password and the confirmation', async () => {
    const me = await signedIn();
    await api.addTask(me.id, 'Mine');
    const { user, services } = renderApp(api, '/account');
    const password = await screen.findByLabelText('Password');
    await user.type(password, me.password);
    await user.click(screen.getByRole('button', { name: 'Delete my account' }));
    expect(await screen.findByText(/Tick the box to confirm/)).toHaveAttribute('role', 'alert');
    expect(await api.tasks()).toHaveLength(1);

    await user.click(screen.getByRole('checkbox', { name: /my account and tasks will be deleted/ }));
    await user.clear(password);
    await user.type(password, 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Delete my account' }));
    expect(await screen.findByText('That isn’t your current password.')).toBeInTheDocument();
    expect(await api.tasks()).toHaveLength(1);

    await user.clear(password);
    await user.type(password, me.password);
    await user.click(screen.getByRole('button', { name: 'Delete my account' }));
    expect(await screen.findByText('Your account and its tasks have been deleted.')).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/sign-in$/);
    expect(await api.tasks()).toEqual([]);
    expect(await services.session.getToken()).toBeNull();
  });
});

describe('email verification banner', () => {
  test('nags an unverified account on every page and resends the link', async () => {
    const me = await signedIn();
    api.markUnverified(me);
    const { user } = renderApp(api, '/');
    const banner = await screen.findByRole('complementary', { name: 'Email verification' });
    expect(banner).toHaveTextContent('Please confirm your email address: we sent a link to me@example.com.');
    // The app itself stays usable.
    expect(await screen.findByRole('heading', { name: 'Your tasks', level: 1 })).toBeInTheDocument();

    await user.click(within(banner).getByRole('button', { name: 'Send the link again' }));
    expect(await within(banner).findByRole('status')).toHaveTextContent('Sent. Check your inbox');
    expect(api.verificationRequests).toEqual(['me@example.com']);
    expect(within(banner).getByRole('button', { name: 'Send the link again' })).toBeDisabled();
  });

  test('explains a confirmation link that expired or was used, when Better Auth sends the person back', async () => {
    const me = await signedIn();
    api.markUnverified(me);
    renderApp(api, '/?error=TOKEN_EXPIRED');
    const banner = await screen.findByRole('complementary', { name: 'Email verification' });
    expect(banner).toHaveTextContent(
      'That confirmation link has expired or was already used. Send a new one below.',
    );
    expect(within(banner).getByRole('button', { name: 'Send the link again' })).toBeEnabled();
  });

  test('says nothing of a link when none failed', async () => {
    const me = await signedIn();
    api.markUnverified(me);
    renderApp(api, '/?error=SOMETHING_ELSE');
    const banner = await screen.findByRole('complementary', { name: 'Email verification' });
    expect(banner).not.toHaveTextContent('confirmation link has expired');
  });

  test('words a rate limit on resend', async () => {
    const me = await signedIn();
    api.markUnverified(me);
    api.rateLimitAuth(true);
    const { user } = renderApp(api, '/account');
    const banner = await screen.findByRole('complementary', { name: 'Email verification' });
    expect(await screen.findByText(/\(not verified yet\)/)).toBeInTheDocument();
    await user.click(within(banner).getByRole('button', { name: 'Send the link again' }));
    expect(await within(banner).findByRole('status')).toHaveTextContent(
      'Too many attempts. Try again in 2 minutes.',
    );
  });

  test('is not shown to a verified account', async () => {
    await signedIn();
    renderApp(api, '/account');
    await screen.findByText('me@example.com', { selector: 'dd' });
    expect(screen.queryByRole('complementary', { name: 'Email verification' })).not.toBeInTheDocument();
  });
});
