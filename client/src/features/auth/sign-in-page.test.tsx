import { screen, waitFor } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { renderApp } from '../../test/render-app';
import { useTestApi } from '../../test/test-api';

const alice = { name: 'Alice', email: 'alice@example.com', password: 'correct horse battery' };
const api = useTestApi();

describe('sign-in page', () => {
  test('a signed-out visitor to / is sent to sign-in', async () => {
    renderApp(api, '/');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/sign-in$/);
    // The landing says what the product is; a plain visit is not told to "continue".
    expect(screen.getByText(/Tasks is a simple to-do list/)).toBeInTheDocument();
    expect(screen.queryByText('Sign in to continue to the page you opened.')).not.toBeInTheDocument();
  });

  test('a deep link says "sign in to continue"', async () => {
    renderApp(api, '/?filter=completed');
    expect(await screen.findByText('Sign in to continue to the page you opened.')).toHaveAttribute(
      'role',
      'status',
    );
    expect(screen.getByTestId('location')).toHaveTextContent('/sign-in?next=');
  });

  test('checks the fields with the shared rules before sending anything', async () => {
    const { user } = renderApp(api, '/sign-in');
    await user.click(await screen.findByRole('button', { name: 'Sign in' }));
    expect(screen.getByText('Enter a valid email address')).toBeInTheDocument();
    expect(screen.getByText('Enter your password')).toBeInTheDocument();
    expect(screen.getByLabelText('Email')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Email')).toHaveFocus();
    // Fixing a field clears its message as you type.
    await user.type(screen.getByLabelText('Email'), 'alice@example.com');
    expect(screen.queryByText('Enter a valid email address')).not.toBeInTheDocument();
  });

  test('explains wrong credentials and too many attempts', async () => {
    await api.addUser(alice);
    const { user } = renderApp(api, '/sign-in');
    await user.type(await screen.findByLabelText('Email'), alice.email);
    await user.type(screen.getByLabelText('Password'), 'not the password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'That email and password don’t match an account.',
    );

    api.rateLimitAuth(true);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText(/Too many attempts/)).toBeInTheDocument();
    // The server's Retry-After (90 s), in words.
    expect(screen.getByRole('alert')).toHaveTextContent('Too many attempts. Try again in 2 minutes.');
  });

  test('the password can be revealed and hidden again', async () => {
    const { user } = renderApp(api, '/sign-in');
    const password = await screen.findByLabelText('Password');
    expect(password).toHaveAttribute('type', 'password');
    await user.click(screen.getByRole('button', { name: 'Show password' }));
    expect(password).toHaveAttribute('type', 'text');
    await user.click(screen.getByRole('button', { name: 'Hide password' }));
    expect(password).toHaveAttribute('type', 'password');
  });

  test('says the session ended, then returns to the page the person was on', async () => {
    await api.addUser(alice);
    const { user } = renderApp(api, '/sign-in?next=%2F%3Ffilter%3Dcompleted', { sessionEnded: true });
    expect(await screen.findByText(/Your session has ended/)).toBeInTheDocument();
    await user.type(screen.getByLabelText('Email'), alice.email);
    await user.type(screen.getByLabelText('Password'), alice.password);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/?filter=completed'));
    expect(await screen.findByText('No completed tasks yet.')).toBeInTheDocument();
  });

  test('never follows a `next` that leaves the site', async () => {
    await api.addUser(alice);
    const { user } = renderApp(api, '/sign-in?next=%2F%2Fevil.example%2F');
    await user.type(await screen.findByLabelText('Email'), alice.email);
    await user.type(screen.getByLabelText('Password'), alice.password);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/$/));
  });

  test('an unreachable server at load is said so, with a retry, not taken for signed out', async () => {
    const me = await api.addUser(alice);
    api.signInAs(me);
    let offline = true;
    const flaky: typeof fetch = (input, init) =>
      offline ? Promise.reject(new TypeError('Failed to fetch')) : api.fetch(input, init);
    const { user } = renderApp({ fetch: flaky }, '/');
    expect(await screen.findByText(/can’t reach the server/)).toBeInTheDocument();
    offline = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No tasks yet. Add your first one above.')).toBeInTheDocument();
  });
});
