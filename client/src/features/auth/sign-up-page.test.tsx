import { screen, waitFor } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { renderApp } from '../../test/render-app';
import { useTestApi } from '../../test/test-api';

const api = useTestApi();

describe('sign-up page', () => {
  test('refuses a weak password with the shared rule', async () => {
    const { user } = renderApp(api, '/sign-up');
    await user.type(await screen.findByLabelText('Name'), 'Ann');
    await user.type(screen.getByLabelText('Email'), 'ann@example.com');
    await user.type(screen.getByLabelText('Password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(screen.getByText('Password must be at least 8 characters')).toBeInTheDocument();
    expect(screen.getByLabelText('Password')).toHaveFocus();
    expect(api.calls).toEqual([]);
  });

  test('explains a taken email and offers sign-in', async () => {
    await api.addUser({ name: 'Ann', email: 'ann@example.com', password: 'correct horse battery' });
    const { user } = renderApp(api, '/sign-up');
    await user.type(await screen.findByLabelText('Name'), 'Ann Again');
    await user.type(screen.getByLabelText('Email'), 'ann@example.com');
    await user.type(screen.getByLabelText('Password'), 'another good password');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('An account with this email already exists.');
    expect(screen.getByRole('link', { name: 'Sign in instead' })).toHaveAttribute('href', '/sign-in');
    expect(screen.getByLabelText('Email')).toHaveFocus();
  });

  test('shows a loading state, then lands on the empty task list', async () => {
    const { user } = renderApp(api, '/sign-up');
    await user.type(await screen.findByLabelText('Name'), 'Ann');
    await user.type(screen.getByLabelText('Email'), 'ann@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    const release = api.hold();
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/$/));
    expect(screen.getByText('Loading your tasks…')).toBeInTheDocument();
    release();
    expect(await screen.findByText('No tasks yet. Add your first one above.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Account: ann@example.com' })).toBeInTheDocument();
  });
});
