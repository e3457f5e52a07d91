import { screen, waitFor } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { renderApp } from '../../test/render-app';
import { useTestApi } from '../../test/test-api';

const alice = { name: 'Alice', email: 'alice@example.com', password: 'correct horse battery' };
const api = useTestApi();

describe('forgot password', () => {
  test('is linked from sign-in, checks the email, and answers with an "if" either way', async () => {
    const { user } = renderApp(api, '/sign-in');
    await user.click(await screen.findByRole('link', { name: 'Forgot password?' }));
    expect(await screen.findByRole('heading', { name: 'Reset your password' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Send reset link' }));
    expect(screen.getByText('Enter a valid email address')).toBeInTheDocument();
    expect(screen.getByLabelText('Email')).toHaveFocus();
    expect(api.resetRequests).toEqual([]);

    await user.type(screen.getByLabelText('Email'), 'nobody@example.com');
    await user.keyboard('{Enter}');
    const sent = (await screen.findByText(/we have sent it a link/)).closest('[role="status"]');
    expect(sent).toHaveTextContent(/If an account uses nobody@example.com, we have sent it a link/);
    expect(api.resetRequests).toEqual(['nobody@example.com']);
  });

  test('words a rate limit', async () => {
    api.rateLimitAuth(true);
    const { user } = renderApp(api, '/forgot-password');
    await user.type(await screen.findByLabelText('Email'), alice.email);
    await user.click(screen.getByRole('button', { name: 'Send reset link' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many attempts. Try again in 2 minutes.');
  });
});

describe('reset password page', () => {
  test('sets the new password once, then says every device was signed out', async () => {
    const created = await api.addUser(alice);
    const token = api.issueResetToken(created);
    const { user } = renderApp(api, `/reset-password?token=${token}`);
    const field = await screen.findByLabelText('New password');
    await user.type(field, 'short');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(screen.getByText('Password must be at least 8 characters')).toBeInTheDocument();
    await user.clear(field);
    await user.type(field, 'a much better passphrase');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    const done = (await screen.findByText(/Your password has been changed/)).closest('[role="status"]');
    expect(done).toHaveTextContent(/every device signed in to your account has been signed out/);
    expect(api.passwordOf(alice.email)).toBe('a much better passphrase');
    await user.click(screen.getByRole('link', { name: 'Sign in with your new password' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/sign-in$/));
  });

  test('an expired or used link says so and offers a new one', async () => {
    const { user } = renderApp(api, '/reset-password?token=used-or-expired');
    await user.type(await screen.findByLabelText('New password'), 'a much better passphrase');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'This reset link has expired or was already used. Ask for a new one.',
    );
    await user.click(screen.getByRole('link', { name: 'Send a new link' }));
    expect(await screen.findByRole('heading', { name: 'Reset your password' })).toBeInTheDocument();
  });

  test('without a token, points to the form that sends one', async () => {
    renderApp(api, '/reset-password');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'This page needs the link from the reset mail.',
    );
  });
});
